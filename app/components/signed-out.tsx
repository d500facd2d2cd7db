import type { ReactNode } from "react";
import { Form, useActionData, useSearchParams } from "react-router";

/**
 * The frame of the pages one reaches signed out (sign in, the admin token, an
 * invitation): a heading, what to enter, the form's one problem, and a way elsewhere.
 * With `keepNext`, the form carries on to the page that asked for a sign-in.
 */
export function SignedOutForm({
  title,
  intro,
  submit,
  keepNext = false,
  footer,
  children,
}: {
  title: string;
  intro: ReactNode;
  submit: string;
  keepNext?: boolean;
  footer?: ReactNode;
  children: ReactNode;
}) {
  const [params] = useSearchParams();
  const error = useActionData<{ error: string }>()?.error;
  return (
    <main className="login">
      <h1>{title}</h1>
      <p className="muted">{intro}</p>
      <Form method="post">
        {keepNext ? <input type="hidden" name="next" value={params.get("next") ?? "/"} /> : null}
        {children}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit">{submit}</button>
      </Form>
      {footer ? <p className="muted">{footer}</p> : null}
    </main>
  );
}
