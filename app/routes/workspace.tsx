import type { ActionFunctionArgs } from "react-router";
import { redirect } from "react-router";
import { api, json } from "../lib/api.server";
import { assertSameOrigin } from "../lib/session.server";
import { chooseWorkspace } from "../lib/workspace.server";

/** The workspace switcher's post: remembers the choice (one of the person's workspaces, or all) and goes back. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  const wanted = String(form.get("workspace") ?? "");
  const { items } = await client.v1.workspaces.$get().then(json);
  const id = items.some((w) => w.id === wanted) ? wanted : "";
  const next = String(form.get("next") ?? "/");
  // Only a path of this site: never an open redirect.
  const back = next.startsWith("/") && !next.startsWith("//") ? next : "/";
  return redirect(back, { headers: { "set-cookie": await chooseWorkspace(id) } });
}

export const loader = () => redirect("/");
