import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, useActionData, useLoaderData } from "react-router";
import { KeyCreate } from "../../schema/contracts/teams";
import { CardTable } from "../components/card-table";
import {
  type ActionResult,
  errorsByInput,
  FieldErrors,
  InlineAction,
  SelectField,
  TextField,
} from "../components/forms";
import { WorkspaceHeading } from "../components/workspace-heading";
import { formPost, json, outcome, problemErrors, workspacePage } from "../lib/api.server";
import { ago } from "../lib/format";
import { parse } from "../lib/parse";

export const loader = (args: LoaderFunctionArgs) =>
  workspacePage(args, async (workspace, param) => ({
    keys: (await workspace.keys.$get({ param }).then(json)).items,
  }));

/** `create`: the new-key form's, whose problems are shown at its inputs. */
type Result = ActionResult<{ create?: boolean; token?: string }>;

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, text, param } = await formPost(args);
  const keys = client.v1.workspaces[":id"].keys;
  if (text("intent") === "revoke") {
    const res = await keys[":keyId"].$delete({ param: { ...param, keyId: text("keyId") } });
    return outcome(res, "key");
  }
  const expires = text("expiresAt");
  const body = parse(KeyCreate, {
    name: text("name"),
    role: text("role"),
    ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
  });
  if (!body.ok) return { create: true, errors: body.errors };
  const res = await keys.$post({ param, json: body.data });
  if (!res.ok) return { create: true, errors: await problemErrors(res, "name") };
  return { errors: [], token: (await res.json()).token };
}

/** API keys: created with a role and optional expiry, the token shown once, revocable. */
export default function TeamKeys() {
  const { workspace, keys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const create = errorsByInput(
    result?.create ? result.errors : undefined,
    ["name", "role", "expiresAt"],
    "key",
  );
  return (
    <section>
      <WorkspaceHeading
        workspace={workspace}
        title="API keys"
        errors={result?.create ? undefined : result?.errors}
        notice={
          result?.token ? (
            <>
              Copy the key now; it is not shown again: <code>{result.token}</code>
            </>
          ) : null
        }
      />
      <CardTable
        rows={keys}
        rowKey={(k) => k.id}
        columns={[
          { head: "Name", cell: (k) => k.name },
          { head: "Role", cell: (k) => k.role },
          { head: "Key", cell: (k) => <code>{k.tokenPrefix}…</code> },
          { head: "Last used", cell: (k) => (k.lastUsedAt ? ago(k.lastUsedAt) : "never") },
          { head: "Expires", cell: (k) => (k.expiresAt ? k.expiresAt.slice(0, 10) : "never") },
          {
            head: "",
            cell: (k) =>
              k.revokedAt ? (
                "revoked"
              ) : (
                <InlineAction
                  intent="revoke"
                  label="Revoke"
                  fields={{ keyId: k.id }}
                  confirm={`Revoke ${k.name}? It stops working at once.`}
                />
              ),
          },
        ]}
      />
      <h2>New key</h2>
      <Form method="post" className="inline">
        <input type="hidden" name="intent" value="create" />
        <TextField label="Name" name="name" required maxLength={200} errors={create} />
        <SelectField label="Role" name="role" defaultValue="viewer" errors={create}>
          <option>viewer</option>
          <option>editor</option>
          <option>admin</option>
        </SelectField>
        <TextField label="Expires (optional)" name="expiresAt" type="date" errors={create} />
        <button type="submit">Create key</button>
      </Form>
      <FieldErrors errors={create.rest} />
    </section>
  );
}
