import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { errorsByInput, FieldErrors, InlineAction } from "../components/forms";
import { api, json, problemErrors } from "../lib/api.server";
import { ago } from "../lib/format";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const [workspace, keys] = await Promise.all([
    client.v1.workspaces[":id"].$get({ param }).then(json),
    client.v1.workspaces[":id"].keys.$get({ param }).then(json),
  ]);
  return { workspace, keys: keys.items };
}

type Result = {
  /** Set for the new-key form, whose problems are shown at its inputs. */
  create?: boolean;
  errors: { path: string; message: string }[];
  token?: string;
};

export async function action({ request, params, context }: ActionFunctionArgs): Promise<Result> {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const id = params.id ?? "";
  const form = await request.formData();
  const text = (k: string) => String(form.get(k) ?? "").trim();
  if (text("intent") === "revoke") {
    const res = await client.v1.workspaces[":id"].keys[":keyId"].$delete({
      param: { id, keyId: text("keyId") },
    });
    return res.ok ? { errors: [] } : { errors: await problemErrors(res, "key") };
  }
  const expires = text("expiresAt");
  const res = await client.v1.workspaces[":id"].keys.$post({
    param: { id },
    json: {
      name: text("name"),
      role: text("role") as "viewer" | "editor" | "admin",
      ...(expires ? { expiresAt: new Date(`${expires}T23:59:59Z`).toISOString() } : {}),
    },
  });
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
      <p>
        <Link to="/team">Team</Link> / {workspace.name}
      </p>
      <h1>API keys</h1>
      <FieldErrors errors={result?.create ? undefined : result?.errors} />
      {result?.token ? (
        <p className="notice" role="status">
          Copy the key now; it is not shown again: <code>{result.token}</code>
        </p>
      ) : null}
      <table className="table cards-on-phone">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th>Key</th>
            <th>Last used</th>
            <th>Expires</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>{k.role}</td>
              <td>
                <code>{k.tokenPrefix}…</code>
              </td>
              <td>{k.lastUsedAt ? ago(k.lastUsedAt) : "never"}</td>
              <td>{k.expiresAt ? k.expiresAt.slice(0, 10) : "never"}</td>
              <td>
                {k.revokedAt ? (
                  "revoked"
                ) : (
                  <InlineAction
                    intent="revoke"
                    label="Revoke"
                    fields={{ keyId: k.id }}
                    confirm={`Revoke ${k.name}? It stops working at once.`}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New key</h2>
      <Form method="post" className="inline">
        <input type="hidden" name="intent" value="create" />
        <label>
          Name
          <input name="name" required maxLength={200} {...create.described("name")} />
          {create.message("name")}
        </label>
        <label>
          Role
          <select name="role" defaultValue="viewer" {...create.described("role")}>
            <option>viewer</option>
            <option>editor</option>
            <option>admin</option>
          </select>
          {create.message("role")}
        </label>
        <label>
          Expires (optional)
          <input name="expiresAt" type="date" {...create.described("expiresAt")} />
          {create.message("expiresAt")}
        </label>
        <button type="submit">Create key</button>
      </Form>
      <FieldErrors errors={create.rest} />
    </section>
  );
}
