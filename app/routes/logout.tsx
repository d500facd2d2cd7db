import type { ActionFunctionArgs } from "react-router";
import { redirect } from "react-router";
import { apiClient } from "../lib/api.server";
import { assertSameOrigin, clearToken, readToken } from "../lib/session.server";

/** Ends the session on the API too (a person's session token stops working), then clears the cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const token = await readToken(request);
  if (token?.startsWith("anoms_")) {
    await apiClient(context.cloudflare.env, token).v1.auth["sign-out"].$post();
  }
  return redirect("/sign-in", { headers: { "set-cookie": await clearToken() } });
}

export const loader = () => redirect("/");
