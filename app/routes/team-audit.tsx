import type { LoaderFunctionArgs } from "react-router";
import { Form, Link, useLoaderData } from "react-router";
import { CardTable } from "../components/card-table";
import { WorkspaceHeading } from "../components/workspace-heading";
import { json, workspacePage } from "../lib/api.server";
import { when } from "../lib/format";

export async function loader(args: LoaderFunctionArgs) {
  const url = new URL(args.request.url);
  const action = url.searchParams.get("action") ?? "";
  const cursor = url.searchParams.get("cursor") ?? "";
  return workspacePage(args, async (workspace, param) => {
    const page = await workspace.audit
      .$get({
        param,
        query: { limit: "50", ...(action ? { action } : {}), ...(cursor ? { cursor } : {}) },
      })
      .then(json);
    return { entries: page.items, nextCursor: page.nextCursor, action };
  });
}

/** Who changed what, newest first, filterable by action (`rule.` for every rule change). */
export default function TeamAudit() {
  const { workspace, entries, nextCursor, action } = useLoaderData<typeof loader>();
  return (
    <section>
      <WorkspaceHeading workspace={workspace} title="Audit log" />
      <Form method="get" className="inline">
        <label>
          Action
          <input name="action" defaultValue={action} placeholder="rule. or member.invite" />
        </label>
        <button type="submit">Filter</button>
      </Form>
      <CardTable
        rows={entries}
        rowKey={(e) => e.id}
        labels={false}
        className="audit"
        columns={[
          { head: "When", cell: (e) => when(e.at) },
          { head: "Who", cell: (e) => e.actor.name },
          { head: "Action", cell: (e) => e.action },
          { head: "Target", cell: (e) => <code>{e.target.id}</code> },
          {
            head: "Detail",
            cell: (e) => <code className="detail">{JSON.stringify(e.detail)}</code>,
          },
        ]}
      />
      {entries.length === 0 ? <p className="muted">Nothing recorded yet.</p> : null}
      {nextCursor ? (
        <Link to={`?${new URLSearchParams({ action, cursor: nextCursor })}`}>Older</Link>
      ) : null}
    </section>
  );
}
