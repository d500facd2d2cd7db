import type { ActionFunctionArgs } from "react-router";
import { useActionData } from "react-router";
import { BusinessPatch, FieldInput, FieldPatch } from "../../../schema/contracts/businesses";
import { BusinessEditor, FieldEditor, fieldBody } from "../../components/business-editor";
import { CardTable } from "../../components/card-table";
import { formPost, problemErrors } from "../../lib/api.server";
import { humaneErrors, humaneStatus } from "../../lib/humane";
import { parse } from "../../lib/parse";
import { useBusiness } from "./layout";

type Result = {
  intent: string;
  field?: string;
  detail?: string;
  errors: { path: string; message: string }[];
};

/** A refusal in the business's words: which rule uses the field, not the expression checker's. */
export function humane(detail: string | undefined, status = 422): string {
  const used =
    /^Rule '(.+)' \([^)]*\) depends on this field: .*Change or delete the rule first\.$/s.exec(
      detail ?? "",
    );
  return used
    ? `the rule “${used[1]}” uses it. Change or delete that rule first.`
    : humaneStatus(status, detail);
}

async function refusal(
  res: { status: number; json(): Promise<unknown> },
  intent: string,
  field: string,
) {
  const problem = (await res.json().catch(() => ({}))) as {
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  return {
    intent,
    field,
    // A refusal naming inputs shows at them; one about the field as a whole, above the table.
    ...(problem.errors?.length ? {} : { detail: humane(problem.detail, res.status) }),
    errors: humaneErrors({ ...problem, status: res.status }, field || "business"),
  };
}

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, form, intent, id } = await formPost(args);
  const field = String(form.get("field") ?? "");
  const fields = client.v1.businesses[":id"].fields;
  if (intent === "update-business") {
    const body = parse(BusinessPatch, {
      name: String(form.get("name") ?? ""),
      description: String(form.get("description") ?? ""),
      timezone: String(form.get("timezone") ?? ""),
    });
    if (!body.ok) return { intent, errors: body.errors };
    const res = await client.v1.businesses[":id"].$patch({ param: { id }, json: body.data });
    return res.ok
      ? { intent, errors: [] }
      : { intent, errors: await problemErrors(res, "business") };
  }
  if (intent === "add-field") {
    const body = parse(FieldInput, fieldBody(form, false));
    if (!body.ok) return { intent, errors: body.errors };
    const res = await fields.$post({ param: { id }, json: body.data });
    return res.ok ? { intent, errors: [] } : refusal(res, intent, field);
  }
  if (intent === "update-field") {
    const body = parse(FieldPatch, fieldBody(form, true));
    if (!body.ok) return { intent, field, errors: body.errors };
    const res = await fields[":name"].$patch({ param: { id, name: field }, json: body.data });
    return res.ok ? { intent, field, errors: [] } : refusal(res, intent, field);
  }
  if (intent === "remove-field") {
    const res = await fields[":name"].$delete({ param: { id, name: field } });
    return res.ok ? { intent, field, errors: [] } : refusal(res, intent, field);
  }
  return { intent, errors: [{ path: "intent", message: "is not an action of this page" }] };
}

export default function Settings() {
  const business = useBusiness();
  const result = useActionData<typeof action>();
  const fieldResult = result?.intent.endsWith("-field") ? result : undefined;
  return (
    <>
      <section>
        <h2>Business</h2>
        <BusinessEditor
          business={business}
          errors={result?.intent === "update-business" ? result.errors : undefined}
        />
      </section>
      <section>
        <h2>Fields</h2>
        {fieldResult?.detail && fieldResult.intent !== "add-field" ? (
          <p className="error" role="alert">
            {fieldResult.field ? `“${fieldResult.field}” was not changed: ` : ""}
            {fieldResult.detail}
          </p>
        ) : null}
        <CardTable
          rows={business.fields}
          rowKey={(f) => f.name}
          columns={[
            {
              head: "Name",
              cell: (f) => (
                <>
                  <code>{f.name}</code>
                  {f.name === business.timeField ? (
                    <span className="muted"> (event time)</span>
                  ) : null}
                </>
              ),
            },
            { head: "Type", cell: (f) => f.type },
            { head: "Required", cell: (f) => (f.required ? "yes" : "no") },
            {
              head: "Values · unit",
              cell: (f) => [f.values?.join(", "), f.unit].filter(Boolean).join(" · ") || "—",
            },
          ]}
        />
        <details className="edit">
          <summary>Edit fields</summary>
          <div className="stack">
            {business.fields
              .filter((f) => f.name !== business.timeField)
              .map((f) => (
                <FieldEditor
                  key={`${f.name}-${business.version}`}
                  field={f}
                  errors={
                    fieldResult?.intent === "update-field" &&
                    fieldResult.field === f.name &&
                    !fieldResult.detail
                      ? fieldResult.errors
                      : undefined
                  }
                />
              ))}
            <FieldEditor
              errors={fieldResult?.intent === "add-field" ? fieldResult.errors : undefined}
              key={`new-${business.version}`}
            />
          </div>
        </details>
      </section>
    </>
  );
}
