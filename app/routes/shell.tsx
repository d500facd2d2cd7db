import type { LoaderFunctionArgs } from "react-router";
import { Form, NavLink, Outlet, useLoaderData, useLocation, useNavigation } from "react-router";
import { NamedSelect } from "../components/forms";
import { apiClient, json } from "../lib/api.server";
import { mayEdit } from "../lib/role.server";
import { requireToken } from "../lib/session.server";
import { chosenWorkspace } from "../lib/workspace.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = await requireToken(request);
  const env = context.cloudflare.env;
  const [canEdit, workspaces, chosen] = await Promise.all([
    mayEdit(env, token, new URL(request.url)),
    apiClient(env, token).v1.workspaces.$get().then(json),
    chosenWorkspace(request),
  ]);
  const list = workspaces.items.map((w) => ({ id: w.id, name: w.name }));
  const workspace = list.find((w) => w.id === chosen)?.id ?? "";
  return { canEdit, workspaces: list, workspace };
}

/** Which workspace the dashboard and alert list show; a plain form, so it works before scripts load. */
function WorkspaceSwitcher({
  workspaces,
  workspace,
}: {
  workspaces: { id: string; name: string }[];
  workspace: string;
}) {
  const here = useLocation();
  if (workspaces.length < 2) return null;
  return (
    <Form method="post" action="/workspace" className="switcher" data-always>
      <input type="hidden" name="next" value={here.pathname + here.search} />
      <NamedSelect
        label={<span className="sr-only">Workspace</span>}
        name="workspace"
        items={workspaces}
        value={workspace}
        none="All workspaces"
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
      />
      <noscript>
        <button type="submit">Show</button>
      </noscript>
    </Form>
  );
}

/** The signed-in frame: navigation and the page. */
export default function Shell() {
  const loading = useNavigation().state !== "idle";
  const { canEdit, workspaces, workspace } = useLoaderData<typeof loader>();
  return (
    <>
      <div
        className={`progress${loading ? " on" : ""}`}
        role="progressbar"
        aria-hidden={!loading}
      />
      <header className="topbar">
        <a className="brand" href="/">
          Anom
        </a>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Dashboard
          </NavLink>
          <NavLink to="/alerts">Alerts</NavLink>
          <NavLink to="/suggestions">Suggestions</NavLink>
          <NavLink to="/businesses/new">New business</NavLink>
          <NavLink to="/team">Team</NavLink>
          <a href="/docs">API docs</a>
        </nav>
        <WorkspaceSwitcher workspaces={workspaces} workspace={workspace} />
        <Form method="post" action="/logout">
          <button type="submit" className="link">
            Sign out
          </button>
        </Form>
      </header>
      {/* A viewer's page renders no edit forms (styles.css); the API refuses their changes anyway. */}
      <main className="page" data-can-edit={canEdit ? "true" : "false"}>
        <Outlet />
      </main>
    </>
  );
}
