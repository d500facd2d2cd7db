import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { FieldErrors } from "../components/forms";
import { api, json, outcome } from "../lib/api.server";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  return client.v1.auth.me.$get().then(json);
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const name = String((await request.formData()).get("name") ?? "").trim();
  const res = await client.v1.workspaces.$post({ json: { name } });
  return outcome(res, "name");
}

/** The workspaces the signed-in person (or the instance owner) sees, and their role in each. */
export default function Team() {
  const me = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>Team</h1>
      <p className="muted">
        Signed in as {me.type === "owner" ? "the instance owner (admin token)" : me.email}.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Workspace</th>
            <th>Your role</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {me.workspaces.map((w) => (
            <tr key={w.id}>
              <td>{w.name}</td>
              <td>{w.role}</td>
              <td>
                <Link to={`/team/${w.id}/members`}>Members</Link>
                {" · "}
                {w.role === "owner" || w.role === "admin" ? (
                  <>
                    <Link to={`/team/${w.id}/keys`}>API keys</Link>
                    {" · "}
                  </>
                ) : null}
                <Link to={`/team/${w.id}/audit`}>Audit log</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>New workspace</h2>
      <Form method="post" className="inline" data-always>
        <label>
          Name
          <input name="name" required maxLength={200} />
        </label>
        <button type="submit">Create</button>
      </Form>
      <FieldErrors errors={result?.errors} />
    </section>
  );
}
