import { Form } from "react-router";
import type { Business, Field } from "../../schema/contracts/businesses";
import { fieldTypes } from "../../schema/contracts/businesses";
import type { FieldError } from "./forms";
import { errorsByInput, FieldErrors, SelectField, TextField } from "./forms";

/** Name, description and time zone of a business. */
export function BusinessEditor({
  business,
  errors,
}: {
  business: Business;
  errors?: FieldError[] | undefined;
}) {
  const at = errorsByInput(errors, ["name", "timezone", "description"], "business");
  return (
    <Form method="post" className="stack">
      <div className="row">
        <TextField
          label="Business name"
          name="name"
          required
          defaultValue={business.name}
          errors={at}
        />
        <TextField
          label="Time zone"
          name="timezone"
          required
          defaultValue={business.timezone}
          errors={at}
        />
      </div>
      <TextField
        label="Description"
        name="description"
        defaultValue={business.description}
        errors={at}
      />
      <FieldErrors errors={at.rest} />
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
  const at = errorsByInput(errors, ["name", "type", "values", "unit"], key);
  return (
    <Form method="post" className="row field-editor">
      {field ? (
        <input type="hidden" name="field" value={field.name} />
      ) : (
        <TextField
          label={`${prefix} name`}
          name="field"
          at="name"
          required
          pattern="[A-Za-z_][A-Za-z0-9_]*"
          errors={at}
        />
      )}
      <SelectField
        label={`${prefix} type`}
        name="type"
        defaultValue={field?.type ?? "string"}
        errors={at}
      >
        {fieldTypes.map((t) => (
          <option key={t}>{t}</option>
        ))}
      </SelectField>
      <label className="check">
        <input type="checkbox" name="required" defaultChecked={field?.required ?? false} /> required
      </label>
      {(
        [
          ["values", "values (enum)", field?.values?.join(", "), "OK, FAILED"],
          ["unit", "unit", field?.unit, "ms, EUR, °C"],
        ] as const
      ).map(([name, label, value, placeholder]) => (
        <TextField
          key={name}
          label={`${prefix} ${label}`}
          name={name}
          defaultValue={value ?? ""}
          placeholder={placeholder}
          errors={at}
        />
      ))}
      <button type="submit" name="intent" value={field ? "update-field" : "add-field"}>
        {field ? "Save field" : "Add field"}
      </button>
      {field ? (
        <button type="submit" name="intent" value="remove-field" className="secondary">
          Remove
        </button>
      ) : null}
      <FieldErrors errors={at.rest} />
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
