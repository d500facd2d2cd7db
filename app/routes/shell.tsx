import type { LoaderFunctionArgs } from "react-router";
import { Form, NavLink, Outlet, useLoaderData, useNavigation } from "react-router";
import { mayEdit } from "../lib/role.server";
import { requireToken } from "../lib/session.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = await requireToken(request);
  return { canEdit: await mayEdit(context.cloudflare.env, token, new URL(request.url)) };
}

/** The signed-in frame: navigation and the page. */
export default function Shell() {
  const loading = useNavigation().state !== "idle";
  const { canEdit } = useLoaderData<typeof loader>();
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
