import type { LoaderFunctionArgs } from "react-router";
import { Form, Link, useLoaderData } from "react-router";
import { api, json } from "../lib/api.server";
import { when } from "../lib/format";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const url = new URL(request.url);
  const action = url.searchParams.get("action") ?? "";
  const cursor = url.searchParams.get("cursor") ?? "";
  const [workspace, page] = await Promise.all([
    client.v1.workspaces[":id"].$get({ param }).then(json),
    client.v1.workspaces[":id"].audit
      .$get({
        param,
        query: { limit: "50", ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) },
      })
      .then(json),
  ]);
  return { workspace, entries: page.items, nextCursor: page.nextCursor, action };
}

/** Who changed what, newest first, filterable by action (`rule.` for every rule change). */
export default function TeamAudit() {
  const { workspace, entries, nextCursor, action } = useLoaderData<typeof loader>();
  return (
    <section>
      <p>
        <Link to="/team">Team</Link> / {workspace.name}
      </p>
      <h1>Audit log</h1>
      <Form method="get" className="inline">
        <label>
          Action
          <input name="action" defaultValue={action} placeholder="rule. or member.invite" />
        </label>
        <button type="submit">Filter</button>
      </Form>
      <table className="table audit cards-on-phone">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>{e.actor.name}</td>
              <td>{e.action}</td>
              <td>
                <code>{e.target.id}</code>
              </td>
              <td>
                <code className="detail">{JSON.stringify(e.detail)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.length === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
      {nextCursor ? (
        <Link to={`?${new URLSearchParams({ action, cursor: nextCursor })}`}>Older</Link>
      ) : null}
    </section>
  );
}
