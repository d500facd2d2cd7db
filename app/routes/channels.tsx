import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Channel } from "../../schema/contracts/channels";
import { FieldErrors, InlineAction } from "../components/forms";
import { api, json } from "../lib/api.server";
import { when } from "../lib/format";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const cursor = new URL(request.url).searchParams.get("deliveries") || undefined;
  const [business, channels, deliveries] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].channels.$get({ param }).then(json),
    client.v1.businesses[":id"].deliveries
      .$get({ param, query: { limit: "50", cursor } })
      .then(json),
  ]);
  return { business, channels: channels.items, deliveries };
}

type Result = {
  intent: string;
  secret?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
};

export async function action({ request, params, context }: ActionFunctionArgs): Promise<Result> {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const form = await request.formData();
  const intent = String(form.get("intent"));
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const channelParam = { ...param, channelId: text("channelId") };
  let res: { ok: boolean; status: number; json(): Promise<unknown> };
  switch (intent) {
    case "create": {
      const type = text("type");
      const body: Record<string, unknown> = { type, name: text("name") || undefined };
      if (type === "email") body.to = text("to");
      else body.url = text("url");
      const severities = form.getAll("severities").map(String);
      if (severities.length && severities.length < 3) body.severities = severities;
      if (text("renotifyAfter")) body.renotifyAfter = text("renotifyAfter");
      res = await client.v1.businesses[":id"].channels.$post({ param, json: body as never });
      break;
    }
    case "toggle":
      res = await client.v1.businesses[":id"].channels[":channelId"].$patch({
        param: channelParam,
        json: { enabled: text("enabled") === "true" },
      });
      break;
    case "delete":
      res = await client.v1.businesses[":id"].channels[":channelId"].$delete({
        param: channelParam,
      });
      break;
    case "resend":
      res = await client.v1.deliveries[":id"].resend.$post({ param: { id: text("deliveryId") } });
      break;
    default:
      return { intent, detail: "Unknown action." };
  }
  if (res.status === 204) return { intent };
  const data = (await res.json()) as Result;
  if (!res.ok) return { intent, detail: data.detail, errors: data.errors ?? [] };
  return { intent, secret: data.secret };
}

function target(c: Channel): string {
  return c.type === "email" ? (c.to ?? "") : (c.url ?? "");
}

export default function Channels() {
  const { business, channels, deliveries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [type, setType] = useState("webhook");
  const names = new Map(channels.map((c) => [c.id, c.name]));
  return (
    <>
      <h2 className="tab-title">Channels and deliveries</h2>
      <section>
        <h2>Channels</h2>
        {result?.intent === "create" && result.secret ? (
          <div className="notice" role="status">
            <p>The webhook's signing secret, shown only now:</p>
            <code data-testid="channel-secret">{result.secret}</code>
          </div>
        ) : null}
        {channels.length === 0 ? (
          <p className="empty">No channels: alerts are kept, but nobody is told.</p>
        ) : (
          <table className="table cards-on-phone">
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Target</th>
                <th>Severities</th>
                <th>Reminders</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {channels.map((c) => (
                <tr key={c.id}>
                  <td data-label="Name">
                    {c.name} {c.enabled ? null : <span className="badge zero">disabled</span>}
                  </td>
                  <td data-label="Type">{c.type}</td>
                  <td data-label="Target" className="wrap">
                    {target(c)}
                  </td>
                  <td data-label="Severities">{c.severities?.join(", ") ?? "all"}</td>
                  <td data-label="Reminders">
                    {c.renotifyAfter ? `every ${c.renotifyAfter}` : "—"}
                  </td>
                  <td className="actions">
                    <InlineAction
                      intent="toggle"
                      label={c.enabled ? "Disable" : "Enable"}
                      fields={{ channelId: c.id, enabled: String(!c.enabled) }}
                    />{" "}
                    <InlineAction
                      intent="delete"
                      label="Delete"
                      fields={{ channelId: c.id }}
                      confirm={`Delete the channel “${c.name}”?`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Form method="post" className="stack rule-form">
          <h3>New channel</h3>
          <div className="row">
            <label>
              Type
              <select name="type" value={type} onChange={(e) => setType(e.target.value)}>
                <option value="webhook">webhook (signed)</option>
                <option value="slack">Slack incoming webhook</option>
                <option value="email">email</option>
              </select>
            </label>
            <label>
              Channel name
              <input name="name" placeholder="on-call" />
            </label>
          </div>
          {type === "email" ? (
            <label>
              Email address
              <input name="to" type="email" required placeholder="ops@example.com" />
            </label>
          ) : (
            <label>
              URL
              <input name="url" type="url" required placeholder="https://…" />
            </label>
          )}
          <fieldset className="row">
            <legend>Severities</legend>
            {["info", "warning", "critical"].map((s) => (
              <label key={s} className="check">
                <input type="checkbox" name="severities" value={s} defaultChecked /> {s}
              </label>
            ))}
          </fieldset>
          <label>
            Remind while open, every (optional)
            <input name="renotifyAfter" placeholder="1h" />
          </label>
          <FieldErrors errors={result?.intent === "create" ? result.errors : undefined} />
          <button type="submit" name="intent" value="create" disabled={busy}>
            Create channel
          </button>
        </Form>
      </section>
      <section>
        <h2>Delivery log</h2>
        {result?.intent === "resend" && !result.detail ? (
          <p className="notice" role="status">
            Queued again.
          </p>
        ) : null}
        {deliveries.items.length === 0 ? (
          <p className="empty">No deliveries yet.</p>
        ) : (
          <table className="table cards-on-phone">
            <thead>
              <tr>
                <th>Time</th>
                <th>Channel</th>
                <th>Message</th>
                <th>Attempt</th>
                <th>Outcome</th>
                <th>Answer</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {deliveries.items.map((d) => (
                <tr key={d.id}>
                  <td data-label="Time">{when(d.createdAt, business.timezone)}</td>
                  <td data-label="Channel">{names.get(d.channelId) ?? d.channelId}</td>
                  <td data-label="Message">
                    {d.type} <Link to={`/alerts/${d.alertId}`}>alert</Link>
                  </td>
                  <td data-label="Attempt">{d.attempt}</td>
                  <td data-label="Outcome">
                    <span className={`badge ${d.outcome === "delivered" ? "info" : "critical"}`}>
                      {d.outcome}
                    </span>
                  </td>
                  <td data-label="Answer" className="wrap">
                    {[d.statusCode, d.error, d.latencyMs === null ? null : `${d.latencyMs} ms`]
                      .filter((x) => x !== null && x !== "")
                      .join(" · ")}
                  </td>
                  <td>
                    {d.outcome === "delivered" ? null : (
                      <Form method="post" className="inline">
                        <input type="hidden" name="deliveryId" value={d.id} />
                        <button type="submit" name="intent" value="resend" className="link">
                          Resend
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {deliveries.nextCursor ? (
          <Link to={`?deliveries=${deliveries.nextCursor}`}>Older deliveries</Link>
        ) : null}
      </section>
    </>
  );
}
