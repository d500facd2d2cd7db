import type { LoaderFunctionArgs } from "react-router";
import { Form, NavLink, Outlet, useNavigation } from "react-router";
import { requireToken } from "../lib/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireToken(request);
  return null;
}

/** The signed-in frame: navigation and the page. */
export default function Shell() {
  const loading = useNavigation().state !== "idle";
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
          <a href="/docs">API docs</a>
        </nav>
        <Form method="post" action="/logout">
          <button type="submit" className="link">
            Sign out
          </button>
        </Form>
      </header>
      <main className="page">
        <Outlet />
      </main>
    </>
  );
}
