import { Form } from "react-router";
import type { Business, Field } from "../../schema/contracts/businesses";
import { fieldTypes } from "../../schema/contracts/businesses";
import type { FieldError } from "./forms";
import { errorsByInput, FieldErrors, InputError } from "./forms";

/** aria attributes tying an input to the problems shown under it. */
const described = (id: string, errors: FieldError[]) => ({
  "aria-describedby": id,
  "aria-invalid": errors.length > 0,
});

/** Name, description and time zone of a business. */
export function BusinessEditor({
  business,
  errors,
}: {
  business: Business;
  errors?: FieldError[] | undefined;
}) {
  const { at, rest } = errorsByInput(errors, ["name", "timezone", "description"]);
  return (
    <Form method="post" className="stack">
      <div className="row">
        <label>
          Business name
          <input
            name="name"
            required
            defaultValue={business.name}
            {...described("business-name-error", at("name"))}
          />
          <InputError id="business-name-error" errors={at("name")} />
        </label>
        <label>
          Time zone
          <input
            name="timezone"
            required
            defaultValue={business.timezone}
            {...described("business-timezone-error", at("timezone"))}
          />
          <InputError id="business-timezone-error" errors={at("timezone")} />
        </label>
      </div>
      <label>
        Description
        <input
          name="description"
          defaultValue={business.description}
          {...described("business-description-error", at("description"))}
        />
        <InputError id="business-description-error" errors={at("description")} />
      </label>
      <FieldErrors errors={rest} />
      <button type="submit" name="intent" value="update-business">
        Save business
      </button>
    </Form>
  );
}

/** One field's type, required flag, enum values and unit; or a new field when `field` is absent. */
export function FieldEditor({
  field,
  errors,
}: {
  field?: Field;
  errors?: FieldError[] | undefined;
}) {
  const prefix = field ? `Field ${field.name}` : "New field";
  const key = field ? `field-${field.name}` : "new-field";
  const { at, rest } = errorsByInput(errors, ["name", "type", "values", "unit"]);
  return (
    <Form method="post" className="row field-editor">
      {field ? (
        <input type="hidden" name="field" value={field.name} />
      ) : (
        <label>
          {prefix} name
          <input
            name="field"
            required
            pattern="[A-Za-z_][A-Za-z0-9_]*"
            {...described(`${key}-name-error`, at("name"))}
          />
          <InputError id={`${key}-name-error`} errors={at("name")} />
        </label>
      )}
      <label>
        {prefix} type
        <select
          name="type"
          defaultValue={field?.type ?? "string"}
          {...described(`${key}-type-error`, at("type"))}
        >
          {fieldTypes.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <InputError id={`${key}-type-error`} errors={at("type")} />
      </label>
      <label className="check">
        <input type="checkbox" name="required" defaultChecked={field?.required ?? false} /> required
      </label>
      <label>
        {prefix} values (enum)
        <input
          name="values"
          defaultValue={field?.values?.join(", ") ?? ""}
          placeholder="OK, FAILED"
          {...described(`${key}-values-error`, at("values"))}
        />
        <InputError id={`${key}-values-error`} errors={at("values")} />
      </label>
      <label>
        {prefix} unit
        <input
          name="unit"
          defaultValue={field?.unit ?? ""}
          placeholder="ms, EUR, °C"
          {...described(`${key}-unit-error`, at("unit"))}
        />
        <InputError id={`${key}-unit-error`} errors={at("unit")} />
      </label>
      <button type="submit" name="intent" value={field ? "update-field" : "add-field"}>
        {field ? "Save field" : "Add field"}
      </button>
      {field ? (
        <button type="submit" name="intent" value="remove-field" className="secondary">
          Remove
        </button>
      ) : null}
      <FieldErrors errors={rest} />
    </Form>
  );
}

/** A field body from the field editor; for a change, an empty unit clears it. */
export function fieldBody(form: FormData, change: boolean): Record<string, unknown> {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const type = text("type");
  const body: Record<string, unknown> = { type, required: form.get("required") === "on" };
  if (!change) body.name = text("field");
  if (type === "enum")
    body.values = text("values")
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  if (text("unit")) body.unit = text("unit");
  else if (change) body.unit = null;
  return body;
}
