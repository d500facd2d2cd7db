import type { ActionFunctionArgs } from "react-router";
import { redirect } from "react-router";
import { assertSameOrigin, clearToken } from "../lib/session.server";

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return redirect("/login", { headers: { "set-cookie": await clearToken() } });
}

export const loader = () => redirect("/");
