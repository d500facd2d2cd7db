import type { ActionFunctionArgs } from "react-router";
import { Link } from "react-router";
import { SignedOutForm } from "../components/signed-out";
import { apiClient } from "../lib/api.server";
import { assertSameOrigin, signedIn, signedOutOnly } from "../lib/session.server";

export const loader = signedOutOnly;

/** Signs in with email and password; the API's session token goes into the HttpOnly cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const res = await apiClient(context.cloudflare.env, "").v1.auth["sign-in"].$post({
    json: { email, password },
  });
  // The typed client knows only the statuses the route declares; the rate limit is one more.
  const status: number = res.status;
  if (status === 429) return { error: "Too many failed sign-ins. Wait a few minutes." };
  if (!res.ok) return { error: "The email or password is wrong." };
  return signedIn((await res.json()).token, form.get("next"));
}

export default function SignIn() {
  return (
    <SignedOutForm
      title="Anom"
      intro="Sign in as yourself."
      submit="Sign in"
      keepNext
      footer={
        <>
          <Link to="/login">Sign in with the admin token</Link> (instance owner)
        </>
      }
    >
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
    </SignedOutForm>
  );
}
