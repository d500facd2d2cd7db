import { Form } from "react-router";
import type { Business } from "../../schema/contracts/businesses";
import type { View } from "../../schema/contracts/views";
import type { FieldError } from "./forms";
import { FieldErrors } from "./forms";

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
  return (
    <Form method="post" className="stack view-editor">
      {rows.map((c, i) => {
        const last = i === rows.length - 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional (inputs are named chart.N)
          <fieldset key={`${i}-${c.field}-${c.fn}`} className="row">
            <legend>{last ? "Add a chart" : `Chart ${i + 1}`}</legend>
            <label>
              Title
              <input name={`chart.${i}.title`} defaultValue={c.title ?? ""} />
            </label>
            <label>
              Function
              <select name={`chart.${i}.fn`} defaultValue={c.fn}>
                {last ? <option value="">—</option> : null}
                {fns.map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </label>
            <label>
              Field
              <select name={`chart.${i}.field`} defaultValue={c.field ?? ""}>
                <option value="">— (count only)</option>
                {numeric.map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </label>
            <label>
              Bucket
              <input name={`chart.${i}.bucket`} defaultValue={c.bucket ?? ""} placeholder="auto" />
            </label>
            <label>
              Per value of
              <select name={`chart.${i}.groupBy`} defaultValue={c.groupBy ?? ""}>
                <option value="">—</option>
                {groupable.map((f) => (
                  <option key={f.name}>{f.name}</option>
                ))}
              </select>
            </label>
            {last ? null : (
              <label className="check">
                <input type="checkbox" name={`chart.${i}.remove`} /> remove
              </label>
            )}
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
      <FieldErrors errors={errors} />
      <button type="submit" name="intent" value="save-view">
        Save charts
      </button>
    </Form>
  );
}
