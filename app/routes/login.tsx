import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, redirect, useActionData, useSearchParams } from "react-router";
import { apiClient, problemText } from "../lib/api.server";
import { assertSameOrigin, readToken, setToken } from "../lib/session.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (await readToken(request)) throw redirect("/");
  return null;
}

/** Checks the token against the API before keeping it in the session cookie. */
export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const token = String(form.get("token") ?? "").trim();
  const next = String(form.get("next") ?? "/");
  if (!token) return { error: "Enter the admin token." };
  const res = await apiClient(context.cloudflare.env, token).v1.businesses.$get({
    query: { limit: "1" },
  });
  if ((res.status as number) === 401) return { error: "That token is not valid." };
  if (!res.ok) return { error: await problemText(res) };
  return redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/", {
    headers: { "set-cookie": await setToken(token) },
  });
}

export default function Login() {
  const data = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <main className="login">
      <h1>Anom</h1>
      <p className="muted">
        Sign in with the admin token (ADMIN_TOKEN in .dev.vars for local development).
      </p>
      <Form method="post">
        <input type="hidden" name="next" value={params.get("next") ?? "/"} />
        <label>
          Admin token
          <input name="token" type="password" autoComplete="current-password" required />
        </label>
        {data?.error ? (
          <p className="error" role="alert">
            {data.error}
          </p>
        ) : null}
        <button type="submit">Sign in</button>
      </Form>
      <p className="muted">
        <Link to="/sign-in">Sign in with email and password</Link>
      </p>
    </main>
  );
}
