import { Form } from "react-router";
import type { Business } from "../../schema/contracts/businesses";
import type { View } from "../../schema/contracts/views";
import type { FieldError } from "./forms";
import { errorsByInput, FieldErrors, SelectField, TextField } from "./forms";

const keys = ["title", "fn", "field", "bucket", "groupBy"];

/** The problems of editor row `i` (`chart.i.key`), keyed by the row's input. */
const ofRow = (errors: FieldError[], i: number) =>
  errorsByInput(
    errors
      .filter((e) => e.path.startsWith(`chart.${i}.`))
      .map((e) => ({ ...e, path: e.path.slice(`chart.${i}.`.length) })),
    keys,
    `chart-${i}`,
  );

const fns = ["count", "avg", "sum", "min", "max"] as const;
const ranges = ["1h", "6h", "24h", "7d", "30d"] as const;

/** Edits which fields and functions the business page charts: one row per chart, plus one to add. */
export function ViewEditor({
  business,
  view,
  errors,
}: {
  business: Business;
  view: View;
  errors?: FieldError[] | undefined;
}) {
  const numeric = business.fields.filter((f) => f.type === "number" || f.type === "integer");
  const groupable = business.fields.filter((f) => f.type === "string" || f.type === "enum");
  const rows = [...view.charts, { fn: "", field: undefined, title: "", bucket: "", groupBy: "" }];
  const all = errors ?? [];
  const rest = all.filter((e) => !/^chart\.\d+\./.test(e.path));
  return (
    <Form method="post" className="stack view-editor">
      {rows.map((c, i) => {
        const last = i === rows.length - 1;
        const row = ofRow(all, i);
        // An input of this row: named chart.N.name, its problems shown at it.
        const input = (name: string) => ({ name: `chart.${i}.${name}`, at: name, errors: row });
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional (inputs are named chart.N)
          <fieldset key={`${i}-${c.field}-${c.fn}`} className="row">
            <legend>{last ? "Add a chart" : `Chart ${i + 1}`}</legend>
            <TextField label="Title" {...input("title")} defaultValue={c.title ?? ""} />
            <SelectField label="Function" {...input("fn")} defaultValue={c.fn}>
              {last ? <option value="">—</option> : null}
              {fns.map((f) => (
                <option key={f}>{f}</option>
              ))}
            </SelectField>
            <SelectField label="Field" {...input("field")} defaultValue={c.field ?? ""}>
              <option value="">— (count only)</option>
              {numeric.map((f) => (
                <option key={f.name}>{f.name}</option>
              ))}
            </SelectField>
            <TextField
              label="Bucket"
              {...input("bucket")}
              defaultValue={c.bucket ?? ""}
              placeholder="auto"
            />
            <SelectField label="Per value of" {...input("groupBy")} defaultValue={c.groupBy ?? ""}>
              <option value="">—</option>
              {groupable.map((f) => (
                <option key={f.name}>{f.name}</option>
              ))}
            </SelectField>
            {last ? null : (
              <label className="check">
                <input type="checkbox" name={`chart.${i}.remove`} /> remove
              </label>
            )}
            <FieldErrors errors={row.rest} />
          </fieldset>
        );
      })}
      <label>
        Range
        <select name="range" defaultValue={view.range}>
          {ranges.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
      <FieldErrors errors={rest} />
      <button type="submit" name="intent" value="save-view">
        Save charts
      </button>
    </Form>
  );
}
