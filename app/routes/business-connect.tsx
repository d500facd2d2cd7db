import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { FieldErrors } from "../components/forms";
import { formPost, json, pageApi, problemErrors } from "../lib/api.server";
import { snippets } from "../lib/snippets";

const DEFAULT_API_URL = "http://127.0.0.1:8787";
/** Shown until a token is made here: tokens are shown once, so the page cannot know an old one. */
export const TOKEN_PLACEHOLDER = "<SOURCE_TOKEN>";

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const [business, sources] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].sources.$get({ param }).then(json),
  ]);
  return {
    business,
    sources: sources.items.filter((s) => s.revokedAt === null),
    apiUrl: args.context.cloudflare.env.API_URL || DEFAULT_API_URL,
  };
}

type Result = { token?: string; errors?: { path: string; message: string }[] };

/** Makes a new source, so the snippets can carry a real token (shown only in this answer). */
export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, text, param } = await formPost(args);
  const res = await client.v1.businesses[":id"].sources.$post({
    param,
    json: { name: text("name") },
  });
  if (!res.ok) return { errors: await problemErrors(res, "name") };
  return { token: (await json(res)).token };
}

export default function Connect() {
  const { business, sources, apiUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const token = result?.token ?? TOKEN_PLACEHOLDER;
  return (
    <>
      <h2>Connect a source</h2>
      <section>
        <h2>Source token</h2>
        {result?.token ? (
          <div className="notice" role="status">
            <p>The new source's token, shown only now; the snippets below carry it:</p>
            <code data-testid="source-token">{result.token}</code>
          </div>
        ) : (
          <p className="muted">
            {sources.length} active source{sources.length === 1 ? "" : "s"}. Tokens are shown only
            when made: make one here to fill the snippets, or paste yours in place of{" "}
            <code>{TOKEN_PLACEHOLDER}</code>.
          </p>
        )}
        <Form method="post" className="inline">
          <label>
            Name <input name="name" required maxLength={200} defaultValue="connect" />
          </label>{" "}
          <button type="submit" disabled={busy}>
            Make a source token
          </button>
        </Form>
        <FieldErrors errors={result?.errors} />
      </section>
      {snippets(business, apiUrl, token).map((s) => (
        <section key={s.id} data-testid={`snippet-${s.id}`}>
          <h2>{s.title}</h2>
          <p className="muted">{s.note}</p>
          <pre className="snippet">
            <code>{s.text}</code>
          </pre>
        </section>
      ))}
      <p className="muted">
        Mapping rules for each way in: docs/integrations.md. The API reference is at{" "}
        <a href={`${apiUrl}/docs`}>{apiUrl}/docs</a>.
      </p>
    </>
  );
}
