import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { SourceCreate } from "../../../schema/contracts/sources";
import { FieldErrors, InlineAction } from "../../components/forms";
import { Time } from "../../components/time";
import { api, formPost, json, problemErrors } from "../../lib/api.server";
import { parse } from "../../lib/parse";
import { DEFAULT_API_URL, snippets } from "../../lib/snippets";
import { useBusiness } from "./layout";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const sources = await client.v1.businesses[":id"].sources
    .$get({ param: { id: params.id ?? "" } })
    .then(json);
  return { sources: sources.items, apiUrl: context.cloudflare.env.API_URL || DEFAULT_API_URL };
}

type Result = { intent: string; token?: string; errors: { path: string; message: string }[] };

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, form, intent, id } = await formPost(args);
  if (intent === "create-source") {
    const body = parse(SourceCreate, { name: String(form.get("name") ?? "").trim() });
    if (!body.ok) return { intent, errors: body.errors };
    const res = await client.v1.businesses[":id"].sources.$post({ param: { id }, json: body.data });
    if (!res.ok) return { intent, errors: await problemErrors(res, "name") };
    return { intent, token: (await json(res)).token, errors: [] };
  }
  if (intent === "revoke-source") {
    const res = await client.v1.businesses[":id"].sources[":sourceId"].$delete({
      param: { id, sourceId: String(form.get("sourceId") ?? "") },
    });
    return { intent, errors: res.ok ? [] : await problemErrors(res, "source") };
  }
  return { intent, errors: [{ path: "intent", message: "is not an action of this page" }] };
}

/** The new source's token, once, and a first event to send with it, ready to paste. */
function TokenOnce({ token, apiUrl }: { token: string; apiUrl: string }) {
  const business = useBusiness();
  const [copied, setCopied] = useState(false);
  const curl = snippets(business, apiUrl, token).find((x) => x.id === "curl");
  return (
    <div className="notice connect-now" role="status">
      <p>The source's token, shown only now:</p>
      <code data-testid="source-token" className="secret">
        {token}
      </code>{" "}
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(token).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
      {curl ? (
        <>
          <p>
            Connect it: send a first event from a terminal (an example from this business's fields).
          </p>
          <pre className="snippet" data-testid="source-snippet">
            <code>{curl.text}</code>
          </pre>
          <p>
            <Link to={`/businesses/${business.id}/connect`}>
              More ways in: OpenTelemetry, cron pings, CloudEvents
            </Link>
          </p>
        </>
      ) : null}
    </div>
  );
}

export default function Sources() {
  const business = useBusiness();
  const { sources, apiUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h2>Sources</h2>
      <p className="muted">
        A source is one sender of events (a service, a gateway); each has its own token for{" "}
        <code>POST /v1/ingest/{business.id}</code>.
      </p>
      {result?.token ? <TokenOnce token={result.token} apiUrl={apiUrl} /> : null}
      {sources.length === 0 ? <p className="muted">No sources yet.</p> : null}
      <ul className="list">
        {sources.map((s) => (
          <li key={s.id}>
            <b>{s.name}</b> <code>{s.tokenPrefix}…</code>{" "}
            <span className="muted">
              <Time at={s.createdAt} zone={business.timezone} relative prefix="created " />
            </span>{" "}
            {s.revokedAt ? (
              <span className="badge zero">revoked</span>
            ) : (
              <InlineAction
                intent="revoke-source"
                label="Revoke"
                fields={{ sourceId: s.id }}
                confirm={`Revoke “${s.name}”? Its token stops working at once.`}
              />
            )}
          </li>
        ))}
      </ul>
      <Form method="post" className="row">
        <label>
          New source name
          <input
            name="name"
            required
            maxLength={200}
            placeholder={`e.g. ${business.name.toLowerCase().split(/\s+/)[0] ?? "app"}-production`}
            aria-invalid={result?.intent === "create-source" && result.errors.length > 0}
          />
        </label>
        <button type="submit" name="intent" value="create-source">
          Create source
        </button>
      </Form>
      {result?.intent === "create-source" || result?.intent === "revoke-source" ? (
        <FieldErrors errors={result.errors} />
      ) : null}
    </section>
  );
}
