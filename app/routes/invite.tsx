import type { ActionFunctionArgs } from "react-router";
import { Form, redirect, useActionData } from "react-router";
import { apiClient, problemText } from "../lib/api.server";
import { assertSameOrigin, setToken } from "../lib/session.server";

/** Accepts a one-time invitation: choose (or confirm) a password, then signed in. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("again") ?? "")) return { error: "The passwords differ." };
  const res = await apiClient(context.cloudflare.env, "").v1.auth["accept-invite"].$post({
    json: { token: params.token ?? "", password },
  });
  if ((res.status as number) === 404)
    return { error: "This invitation was used already or has expired." };
  if (!res.ok) {
    return { error: await problemText(res) };
  }
  const session = await res.json();
  return redirect("/", { headers: { "set-cookie": await setToken(session.token) } });
}

export default function Invite() {
  const data = useActionData<typeof action>();
  return (
    <main className="login">
      <h1>Join Anom</h1>
      <p className="muted">
        Choose a password of at least 10 characters (or enter yours, if you have an account).
      </p>
      <Form method="post">
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
        {data?.error ? (
          <p className="error" role="alert">
            {data.error}
          </p>
        ) : null}
        <button type="submit">Join</button>
      </Form>
    </main>
  );
}
