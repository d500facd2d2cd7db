import type { ActionFunctionArgs } from "react-router";
import { Link } from "react-router";
import { SignedOutForm } from "../components/signed-out";
import { apiClient, problemText } from "../lib/api.server";
import { assertSameOrigin, signedIn, signedOutOnly } from "../lib/session.server";

export const loader = signedOutOnly;

/** Checks the token against the API before keeping it in the session cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const token = String(form.get("token") ?? "").trim();
  if (!token) return { error: "Enter the admin token." };
  const res = await apiClient(context.cloudflare.env, token).v1.businesses.$get({
    query: { limit: "1" },
  });
  // The typed client knows only the statuses the route declares; a refused token is one more.
  const status: number = res.status;
  if (status === 401) return { error: "That token is not valid." };
  if (!res.ok) return { error: await problemText(res) };
  return signedIn(token, form.get("next"));
}

export default function Login() {
  return (
    <SignedOutForm
      title="Anom"
      intro="Sign in with the admin token (ADMIN_TOKEN in .dev.vars for local development)."
      submit="Sign in"
      keepNext
      footer={<Link to="/sign-in">Sign in with email and password</Link>}
    >
      <label>
        Admin token
        <input name="token" type="password" autoComplete="current-password" required />
      </label>
    </SignedOutForm>
  );
}
