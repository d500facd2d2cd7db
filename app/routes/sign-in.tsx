import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, redirect, useActionData, useSearchParams } from "react-router";
import { apiClient } from "../lib/api.server";
import { assertSameOrigin, readToken, setToken } from "../lib/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (await readToken(request)) throw redirect("/");
  return null;
}

/** Signs in with email and password; the API's session token goes into the HttpOnly cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const next = String(form.get("next") ?? "/");
  const res = await apiClient(context.cloudflare.env, "").v1.auth["sign-in"].$post({
    json: { email, password },
  });
  if ((res.status as number) === 429)
    return { error: "Too many failed sign-ins. Wait a few minutes." };
  if (!res.ok) return { error: "The email or password is wrong." };
  const session = await res.json();
  return redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/", {
    headers: { "set-cookie": await setToken(session.token) },
  });
}

export default function SignIn() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <main className="login">
      <h1>Anom</h1>
      <p className="muted">Sign in as yourself.</p>
      <Form method="post">
        <input type="hidden" name="next" value={params.get("next") ?? "/"} />
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {data?.error ? (
          <p className="error" role="alert">
            {data.error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </Form>
      <p className="muted">
        <Link to="/login">Sign in with the admin token</Link> (instance owner)
      </p>
    </main>
  );
}
