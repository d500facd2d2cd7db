import type { ActionFunctionArgs } from "react-router";
import { SignedOutForm } from "../components/signed-out";
import { apiClient, problemText } from "../lib/api.server";
import { assertSameOrigin, signedIn } from "../lib/session.server";

/** Accepts a one-time invitation: choose (or confirm) a password, then signed in. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("again") ?? "")) return { error: "The passwords differ." };
  const res = await apiClient(context.cloudflare.env, "").v1.auth["accept-invite"].$post({
    json: { token: params.token ?? "", password },
  });
  // The typed client knows only the statuses the route declares; a used invitation is one more.
  const status: number = res.status;
  if (status === 404) return { error: "This invitation was used already or has expired." };
  if (!res.ok) return { error: await problemText(res) };
  return signedIn((await res.json()).token);
}

export default function Invite() {
  return (
    <SignedOutForm
      title="Join Anom"
      intro="Choose a password of at least 10 characters (or enter yours, if you have an account)."
      submit="Join"
    >
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={10}
          required
        />
      </label>
      <label>
        Again
        <input name="again" type="password" autoComplete="new-password" minLength={10} required />
      </label>
    </SignedOutForm>
  );
}
