import { useEffect, useRef, useState } from "react";
import type { ActionFunctionArgs } from "react-router";
import { Form, redirect, useActionData } from "react-router";
import { BusinessCreate, fieldTypes } from "../../schema/contracts/businesses";
import { FieldErrors } from "../components/forms";
import { api, problemErrors } from "../lib/api.server";
import { parse } from "../lib/parse";
import { assertSameOrigin } from "../lib/session.server";

/** A refusal of one input, right under it. */
function ErrorAt({ message }: { message: string | undefined }) {
  return message ? <span className="error">{message}</span> : null;
}

interface FieldRow {
  key: number;
}

/** Reads the field editor's rows (`fields.N.name`, …) into the API's body. */
function fieldsFrom(form: FormData) {
  const rows = new Map<string, Record<string, unknown>>();
  for (const [name, value] of form) {
    const m = name.match(/^fields\.(\d+)\.(\w+)$/);
    if (!m?.[1] || !m[2]) continue;
    const row = rows.get(m[1]) ?? {};
    row[m[2]] = value;
    rows.set(m[1], row);
  }
  return [...rows.values()]
    .filter((r) => String(r.name ?? "").trim() !== "")
    .map((r) => ({
      name: String(r.name).trim(),
      type: String(r.type),
      required: r.required === "on",
      ...(r.type === "enum"
        ? {
            values: String(r.values ?? "")
              .split(",")
              .map((v) => v.trim())
              .filter(Boolean),
          }
        : {}),
      ...(String(r.unit ?? "").trim() ? { unit: String(r.unit).trim() } : {}),
    }));
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const body = parse(BusinessCreate, {
    name: String(form.get("name") ?? ""),
    description: String(form.get("description") ?? ""),
    timezone: String(form.get("timezone") || "UTC"),
    timeField: String(form.get("timeField") || "timestamp"),
    fields: fieldsFrom(form),
  });
  if (!body.ok) return { detail: "Some fields need a change.", errors: body.errors };
  const client = await api(request, context.cloudflare.env);
  const res = await client.v1.businesses.$post({ json: body.data });
  if (res.status === 201) return redirect(`/businesses/${(await res.json()).id}`);
  const errors = await problemErrors(res, "business");
  return {
    detail: "The business was not created: see the fields marked below.",
    errors,
  };
}

export default function NewBusiness() {
  const result = useActionData<typeof action>();
  const [rows, setRows] = useState<FieldRow[]>([{ key: 0 }, { key: 1 }]);
  const errorAt = (path: string) => result?.errors.find((e) => e.path === path)?.message;
  // The browser's zone and its list of zones, after hydration (the server's may differ).
  const zone = useRef<HTMLInputElement>(null);
  const [timezones, setTimezones] = useState<string[]>([]);
  useEffect(() => {
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone.current && zone.current.value === "UTC" && here) zone.current.value = here;
    setTimezones(
      typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [],
    );
  }, []);
  return (
    <>
      <h1>New business</h1>
      <Form method="post" className="stack">
        <label>
          Name
          <input name="name" required maxLength={200} aria-invalid={Boolean(errorAt("name"))} />
          <ErrorAt message={errorAt("name")} />
        </label>
        <label>
          Description
          <input name="description" maxLength={2000} />
        </label>
        <div className="row">
          <label>
            Time zone
            <input
              name="timezone"
              ref={zone}
              defaultValue="UTC"
              list="timezones"
              autoComplete="off"
              aria-invalid={Boolean(errorAt("timezone"))}
            />
            <datalist id="timezones">
              {timezones.map((tz) => (
                <option key={tz} value={tz} />
              ))}
            </datalist>
            <ErrorAt message={errorAt("timezone")} />
          </label>
          <label>
            Time field
            <input name="timeField" defaultValue="timestamp" />
            <ErrorAt message={errorAt("timeField")} />
          </label>
        </div>
        <fieldset>
          <legend>Fields</legend>
          {rows.map((row, i) => (
            <div className="row field-row" key={row.key}>
              <label>
                Name
                <input name={`fields.${i}.name`} aria-label={`Field ${i + 1} name`} />
                <ErrorAt message={errorAt(`fields.${i}.name`)} />
              </label>
              <label>
                Type
                <select name={`fields.${i}.type`} aria-label={`Field ${i + 1} type`}>
                  {fieldTypes.map((t) => (
                    <option key={t}>{t}</option>
                  ))}
                </select>
                <ErrorAt message={errorAt(`fields.${i}.type`)} />
              </label>
              <label>
                Enum values
                <input
                  name={`fields.${i}.values`}
                  placeholder="OK, FAILED"
                  aria-label={`Field ${i + 1} enum values`}
                />
                <ErrorAt message={errorAt(`fields.${i}.values`)} />
              </label>
              <label>
                Unit
                <input name={`fields.${i}.unit`} aria-label={`Field ${i + 1} unit`} />
              </label>
              <label className="check">
                <input
                  type="checkbox"
                  name={`fields.${i}.required`}
                  aria-label={`Field ${i + 1} required`}
                />{" "}
                required
              </label>
              <button
                type="button"
                className="link"
                onClick={() => setRows(rows.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setRows([...rows, { key: Math.max(0, ...rows.map((r) => r.key)) + 1 }])}
          >
            Add field
          </button>
        </fieldset>
        {result?.detail ? (
          <p className="error" role="alert">
            {result.detail}
          </p>
        ) : null}
        <FieldErrors
          errors={result?.errors.filter(
            (e) => !/^(name|timezone|timeField|fields\.\d+\.(name|type|values))$/.test(e.path),
          )}
        />
        <button type="submit">Create business</button>
      </Form>
    </>
  );
}
