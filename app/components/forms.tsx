import type {
  ChangeEventHandler,
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
} from "react";
import { Form, Link } from "react-router";
import { type FieldError, pathLabel } from "../lib/humane";

export type { FieldError };

/** What a form's action answers: the refusals (none on success) and what else it has to say. */
export type ActionResult<T extends object = object> = T & { errors: FieldError[] };

/** The API's problems for a form, one line per key, in words. */
export function FieldErrors({ errors }: { errors?: FieldError[] | undefined }) {
  return errors?.length ? (
    <ul className="error" role="alert">
      {errors.map((e) => (
        <li key={e.path}>
          {pathLabel(e.path) ? `${pathLabel(e.path)}: ` : ""}
          {e.message}
        </li>
      ))}
    </ul>
  ) : null;
}

/** The problems of one input, shown right under it (`id` is what the input's aria-describedby names). */
export function InputError({ id, errors }: { id: string; errors: FieldError[] }) {
  return (
    <span id={id} className="input-error" role={errors.length ? "alert" : undefined}>
      {errors.map((e) => e.message).join("; ")}
    </span>
  );
}

/**
 * A form's problems split by input: `at(name)` are those of one input (by the
 * path's first key), shown under it; `rest` are the others, shown under the form.
 * `alsoDescribedBy` names one more element every input is described by (a live check's output).
 */
export function errorsByInput(
  errors: FieldError[] | undefined,
  inputs: readonly string[],
  idPrefix: string,
  alsoDescribedBy?: string,
) {
  const all = errors ?? [];
  const key = (e: FieldError) => e.path.split(".")[0] ?? "";
  const at = (name: string) => all.filter((e) => key(e) === name);
  return {
    at,
    rest: all.filter((e) => !inputs.includes(key(e))),
    /** aria attributes tying input `name` to its <InputError id={`${idPrefix}-${name}-error`}>. */
    described: (name: string) => ({
      "aria-describedby": alsoDescribedBy
        ? `${idPrefix}-${name}-error ${alsoDescribedBy}`
        : `${idPrefix}-${name}-error`,
      "aria-invalid": at(name).length > 0,
    }),
    /** The problems of input `name`, to render right under it. */
    message: (name: string) => <InputError id={`${idPrefix}-${name}-error`} errors={at(name)} />,
  };
}

/** The problems of a form's inputs, as `errorsByInput` splits them. */
export type InputErrors = ReturnType<typeof errorsByInput>;

interface Labelled {
  label: ReactNode;
  errors: InputErrors;
  name: string;
  /** The input's key in `errors` when it is not its name (`chart.0.title` → `title`). */
  at?: string | undefined;
}

/** A label around a control (an input or a select) and the control's problems, right under it. */
function AtInput({
  label,
  errors,
  at,
  control,
}: {
  label: ReactNode;
  errors: InputErrors;
  at: string;
  control: (described: ReturnType<InputErrors["described"]>) => ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `control`'s (TextField's input, SelectField's select)
    <label>
      {label}
      {control(errors.described(at))}
      {errors.message(at)}
    </label>
  );
}

/** A labelled input whose problems show right under it. */
export function TextField(props: Labelled & InputHTMLAttributes<HTMLInputElement>) {
  const { label, errors, at, ...input } = props;
  const control = (described: object) => <input {...input} {...described} />;
  return <AtInput label={label} errors={errors} at={at ?? input.name} control={control} />;
}

/** A labelled select (its options are the children) whose problems show right under it. */
export function SelectField(props: Labelled & SelectHTMLAttributes<HTMLSelectElement>) {
  const { label, errors, at, ...select } = props;
  return (
    <AtInput
      label={label}
      errors={errors}
      at={at ?? select.name}
      control={(described) => <select {...select} {...described} />}
    />
  );
}

/** A one-button form posting `intent` with hidden fields, optionally asking first. */
export function InlineAction({
  intent,
  label,
  fields,
  confirm: question,
}: {
  intent: string;
  label: string;
  fields: Record<string, string>;
  confirm?: string;
}) {
  return (
    <Form
      method="post"
      className="inline"
      onSubmit={(e) => {
        if (question && !confirm(question)) e.preventDefault();
      }}
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" name="intent" value={intent} className="link">
        {label}
      </button>
    </Form>
  );
}

/** Acknowledge (while open) and resolve buttons for an alert that is not resolved. */
export function AlertActions({ status, id, busy }: { status: string; id?: string; busy: boolean }) {
  if (status === "resolved") return null;
  return (
    <Form method="post" className="decide">
      {id ? <input type="hidden" name="id" value={id} /> : null}
      {status === "open" ? (
        <button type="submit" name="intent" value="ack" disabled={busy}>
          Acknowledge
        </button>
      ) : null}
      <button type="submit" name="intent" value="resolve" disabled={busy}>
        Resolve
      </button>
    </Form>
  );
}

/** A select of named things (businesses, rules, workspaces) by id, first offering none in particular. */
export function NamedSelect({
  label,
  name,
  items,
  value,
  none,
  onChange,
}: {
  label: ReactNode;
  name: string;
  items: readonly { id: string; name: string }[];
  value: string | undefined;
  /** The first option's words (its value is empty): "all", "any rule". */
  none: string;
  onChange?: ChangeEventHandler<HTMLSelectElement>;
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ""} onChange={onChange}>
        <option value="">{none}</option>
        {items.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A select of a business's fields by name, first offering none (`—`) when `none` is set. */
export function FieldSelect({
  label,
  name,
  fields,
  value,
  none = false,
}: {
  label: ReactNode;
  name: string;
  fields: readonly { name: string }[];
  value: string | null | undefined;
  none?: boolean;
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value ?? ""}>
        {none ? <option value="">—</option> : null}
        {fields.map((f) => (
          <option key={f.name}>{f.name}</option>
        ))}
      </select>
    </label>
  );
}

/** A "Business" select for filter forms: every business, or all of them. */
export function BusinessSelect({
  businesses,
  value,
}: {
  businesses: { id: string; name: string }[];
  value: string | undefined;
}) {
  return (
    <NamedSelect label="Business" name="businessId" items={businesses} value={value} none="all" />
  );
}

/** The empty state of pages that list businesses. */
export function NoBusinesses() {
  return (
    <section className="empty">
      <p>No businesses yet.</p>
      <Link className="button" to="/businesses/new">
        Create the first business
      </Link>
    </section>
  );
}

/** "silenced" and "inhibited" badges (each after a space): the alert notifies nobody right now. */
export function QuietBadges({ alert }: { alert: { silenced: boolean; inhibited: boolean } }) {
  return (
    <>
      {alert.silenced ? (
        <>
          {" "}
          <span className="badge silenced" title="A silence matches it: nobody is notified">
            silenced
          </span>
        </>
      ) : null}
      {alert.inhibited ? (
        <>
          {" "}
          <span
            className="badge inhibited"
            title="A rule it depends on has an open alert: nobody is notified"
          >
            inhibited
          </span>
        </>
      ) : null}
    </>
  );
}
