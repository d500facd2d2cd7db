import type { ActionFunctionArgs } from "react-router";
import { redirect } from "react-router";
import { api, json } from "../lib/api.server";
import { assertSameOrigin, localPath } from "../lib/session.server";
import { chooseWorkspace } from "../lib/workspace.server";

/** The workspace switcher's post: remembers the choice (one of the person's workspaces, or all) and goes back. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  const wanted = String(form.get("workspace") ?? "");
  const { items } = await client.v1.workspaces.$get().then(json);
  const id = items.some((w) => w.id === wanted) ? wanted : "";
  return redirect(localPath(form.get("next")), {
    headers: { "set-cookie": await chooseWorkspace(id) },
  });
}

export const loader = () => redirect("/");
