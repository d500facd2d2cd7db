import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useRouteLoaderData,
} from "react-router";
import type { Business, Field } from "../../../schema/contracts/businesses";
import { EventsCreate } from "../../../schema/contracts/events";
import { EventUpload } from "../../components/event-upload";
import { InputError } from "../../components/forms";
import { formPost, json, problemErrors } from "../../lib/api.server";
import type { Event } from "../../lib/entry";
import { convert, fieldOf, nowInZone } from "../../lib/entry";
import { num, when } from "../../lib/format";
import { parse } from "../../lib/parse";
import { requireToken } from "../../lib/session.server";
import type { loader as shellLoader } from "../shell";
import styles from "./add.css?url";
import { useBusiness } from "./layout";

export const links = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request }: LoaderFunctionArgs) {
  // Signed in (the layout's loader reads the business); a fresh key per form shown.
  await requireToken(request);
  return { now: Date.now(), formKey: crypto.randomUUID() };
}

type Errors = { path: string; message: string }[];
type Result =
  | { ok: true; event: Event; duplicate: boolean }
  | { ok: false; values: Record<string, string>; errors: Errors };

const input = (name: string) => `f.${name}`;

/** The form's fields in order: the event time first, then as the business declares them. */
function ordered(business: Business): Field[] {
  const time = business.fields.filter((f) => f.name === business.timeField);
  return [...time, ...business.fields.filter((f) => f.name !== business.timeField)];
}

/** Enters one event typed by hand: converted per field type, then `POST …/events` with the form's key. */
export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, form, id } = await formPost(args);
  const business = await client.v1.businesses[":id"].$get({ param: { id } }).then(json);
  const values: Record<string, string> = {};
  const event: Event = {};
  const errors: Errors = [];
  for (const field of business.fields) {
    const raw = form.get(input(field.name));
    const text = field.type === "boolean" && raw === "on" ? "true" : String(raw ?? "");
    values[field.name] = text;
    const c = convert(field, text, business.timezone);
    if (!c.ok) errors.push({ path: field.name, message: c.message });
    else if (c.value !== undefined) event[field.name] = c.value;
  }
  if (errors.length) return { ok: false, values, errors };
  const body = parse(EventsCreate, { events: [event], keys: [String(form.get("key") ?? "")] });
  if (!body.ok) return { ok: false, values, errors: body.errors };
  const res = await client.v1.businesses[":id"].events.$post({ param: { id }, json: body.data });
  if (!res.ok) {
    const problems = await problemErrors(res, "(event)");
    return { ok: false, values, errors: problems.map((e) => ({ ...e, path: fieldOf(e.path) })) };
  }
  const answer = await json(res);
  return { ok: true, event, duplicate: answer.duplicates > 0 };
}

function shown(field: Field, value: Event[string] | undefined, zone: string): string {
  if (value === undefined || value === null) return "—";
  if (field.type === "timestamp") return when(value as string | number, zone, { year: true });
  if (typeof value === "number") return `${num(value)}${field.unit ? ` ${field.unit}` : ""}`;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

/** One input of the form, the control its type calls for. */
function FieldInput({
  field,
  business,
  value,
  errors,
}: {
  field: Field;
  business: Business;
  value: string;
  errors: Errors;
}) {
  const id = `entry-${field.name}`;
  const described = [field.description ? `${id}-hint` : "", `${id}-error`]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    name: input(field.name),
    required: field.required,
    "aria-invalid": errors.length > 0,
    "aria-describedby": described,
  };
  const isTime = field.type === "timestamp";
  let control: React.ReactNode;
  if (field.type === "enum") {
    control = (
      <select {...common} defaultValue={value}>
        <option value="">{field.required ? "Choose…" : "—"}</option>
        {(field.values ?? []).map((v) => (
          <option key={v}>{v}</option>
        ))}
      </select>
    );
  } else if (field.type === "boolean") {
    control = (
      <select {...common} defaultValue={value}>
        <option value="">{field.required ? "Choose…" : "—"}</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    );
  } else if (field.type === "number" || field.type === "integer") {
    control = (
      <span className="with-unit">
        <input
          {...common}
          type="number"
          step={field.type === "integer" ? "1" : "any"}
          inputMode={field.type === "integer" ? "numeric" : "decimal"}
          defaultValue={value}
        />
        {field.unit ? <span aria-hidden="true">{field.unit}</span> : null}
      </span>
    );
  } else if (isTime) {
    control = <input {...common} type="datetime-local" step="1" defaultValue={value} />;
  } else {
    control = <input {...common} type="text" maxLength={8192} defaultValue={value} />;
  }
  return (
    <div className="entry-field">
      <label htmlFor={id}>
        <span>
          {field.name}
          {field.unit ? ` (${field.unit})` : ""}
          {isTime ? ` (${business.timezone})` : ""}
          {field.required ? (
            <>
              <span aria-hidden="true" className="required">
                {" "}
                *
              </span>
              <span className="sr-only"> (required)</span>
            </>
          ) : null}
        </span>
      </label>
      {control}
      {field.description ? (
        <span id={`${id}-hint`} className="muted small">
          {field.description}
        </span>
      ) : null}
      {isTime ? (
        <span className="muted small">
          In {business.timezone}
          {field.name === business.timeField ? "; empty means the time of sending" : ""}
        </span>
      ) : null}
      <InputError id={`${id}-error`} errors={errors} />
    </div>
  );
}

function EntryForm({ business }: { business: Business }) {
  const { now, formKey } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = result && !result.ok ? result : undefined;
  const values = (f: Field) =>
    failed?.values[f.name] ??
    (f.name === business.timeField ? nowInZone(business.timezone, now) : "");
  const fields = ordered(business);
  const stray = failed?.errors.filter((e) => !business.fields.some((f) => f.name === e.path));
  return (
    <section aria-labelledby="enter-title">
      <h2 id="enter-title">Enter an event</h2>
      {result?.ok ? (
        <div className="notice" role="status" data-testid="entered">
          <p>
            <b>{result.duplicate ? "Already stored" : "Event added"}</b>
            {result.duplicate ? " (this form was sent before)" : ""}.{" "}
            <Link to={`/businesses/${business.id}/events`}>See it in Events</Link>
          </p>
          <dl className="entered">
            {fields
              .filter((f) => result.event[f.name] !== undefined)
              .map((f) => (
                <div key={f.name}>
                  <dt>{f.name}</dt>
                  <dd>{shown(f, result.event[f.name], business.timezone)}</dd>
                </div>
              ))}
          </dl>
        </div>
      ) : null}
      <Form method="post" className="entry-form" key={formKey} aria-labelledby="enter-title">
        <input type="hidden" name="key" value={formKey} />
        <p className="muted small">
          <span aria-hidden="true">*</span> required. Times are in {business.timezone}.
        </p>
        <div className="entry-grid">
          {fields.map((f) => (
            <FieldInput
              key={f.name}
              field={f}
              business={business}
              value={values(f)}
              errors={failed?.errors.filter((e) => e.path === f.name) ?? []}
            />
          ))}
        </div>
        {stray?.length ? (
          <ul className="error" role="alert">
            {stray.map((e) => (
              <li key={e.path}>{e.path === "(event)" ? e.message : `${e.path}: ${e.message}`}</li>
            ))}
          </ul>
        ) : null}
        <button type="submit" name="intent" value="enter" disabled={busy}>
          {busy ? "Adding…" : "Add event"}
        </button>
      </Form>
    </section>
  );
}

/** The "Add events" tab: an event typed by hand, or a CSV/NDJSON file. Editors and above. */
export default function AddEvents() {
  const business = useBusiness();
  const shell = useRouteLoaderData<typeof shellLoader>("routes/shell");
  if (shell && !shell.canEdit) {
    return (
      <section>
        <h2>Add events</h2>
        <p className="muted">
          Adding events by hand or from a file needs the editor role in this business's workspace.
        </p>
      </section>
    );
  }
  return (
    <>
      <EntryForm business={business} />
      <EventUpload business={business} />
    </>
  );
}
