import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Channel, ChannelTestResult } from "../../schema/contracts/channels";
import { errorsByInput, FieldErrors, InlineAction } from "../components/forms";
import { api, json, problemResult } from "../lib/api.server";
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
  /** What a test notification's endpoint answered, and for which channel. */
  test?: ChannelTestResult & { channelId: string };
};

/** One input a channel type asks for besides name, severities and reminders. */
interface TargetField {
  name: "url" | "to" | "routingKey" | "topic" | "token";
  label: string;
  type?: "url" | "email" | "password";
  required?: boolean;
  placeholder?: string;
  pattern?: string;
}

const urlField = (label: string, placeholder: string, required = true): TargetField => ({
  name: "url",
  label,
  type: "url",
  required,
  placeholder,
});
const tokenField = (label: string, placeholder?: string): TargetField => ({
  name: "token",
  label,
  type: "password",
  ...(placeholder ? { placeholder } : {}),
});

/** Every type's inputs, under labels that say where to find the values. */
const targetFields: Record<Channel["type"], TargetField[]> = {
  webhook: [urlField("URL", "https://…")],
  slack: [urlField("URL", "https://hooks.slack.com/services/…")],
  email: [
    {
      name: "to",
      label: "Email address",
      type: "email",
      required: true,
      placeholder: "ops@example.com",
    },
  ],
  pagerduty: [
    {
      name: "routingKey",
      label: "Integration key (Events API v2 routing key)",
      required: true,
      placeholder: "32 characters",
    },
    urlField("Events API URL (optional)", "https://events.pagerduty.com/v2/enqueue", false),
  ],
  teams: [urlField("URL", "https://….logic.azure.com/workflows/…")],
  ntfy: [
    {
      name: "topic",
      label: "Topic",
      required: true,
      pattern: "[-_A-Za-z0-9]{1,64}",
      placeholder: "anom-ops-7f3k2",
    },
    urlField("Server URL (optional)", "https://ntfy.sh", false),
    tokenField("Access token (optional)", "tk_…"),
  ],
  alertmanager: [
    urlField("Alertmanager URL", "https://alertmanager.example.com"),
    tokenField("Bearer token (optional)"),
  ],
};

const fieldsOf = (type: string): TargetField[] =>
  targetFields[type as Channel["type"]] ?? targetFields.webhook;

/** The type's inputs as body keys; an optional one left empty is left out. */
function targetBody(type: string, text: (k: string) => string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fieldsOf(type)) {
    if (f.required || text(f.name)) body[f.name] = text(f.name);
  }
  return body;
}

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
      const body: Record<string, unknown> = {
        type,
        name: text("name") || undefined,
        ...targetBody(type, text),
      };
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
    case "test":
    case "test-resolve": {
      res = await client.v1.businesses[":id"].channels[":channelId"].test.$post({
        param: channelParam,
        json: { type: intent === "test" ? "alert.opened" : "alert.resolved" },
      });
      if (!res.ok) return { intent, ...(await problemResult(res)) };
      const data = (await res.json()) as ChannelTestResult;
      return { intent, test: { ...data, channelId: channelParam.channelId } };
    }
    case "resend":
      res = await client.v1.deliveries[":id"].resend.$post({ param: { id: text("deliveryId") } });
      break;
    default:
      return { intent, detail: "Unknown action." };
  }
  if (res.status === 204) return { intent };
  if (!res.ok) return { intent, ...(await problemResult(res)) };
  const data = (await res.json()) as Result;
  return { intent, secret: data.secret };
}

function target(c: Channel): string {
  if (c.type === "email") return c.to ?? "";
  if (c.type === "ntfy") return `${c.topic ?? ""} on ${c.url ?? ""}`;
  return c.url ?? "";
}

/** Types whose test opens something on the other side (an incident, an alert) that a second test resolves. */
const resolvable = new Set<Channel["type"]>(["pagerduty", "alertmanager"]);

function TestOutcome({ test, name }: { test: NonNullable<Result["test"]>; name: string }) {
  const answer = [
    test.statusCode,
    test.error,
    test.latencyMs === null ? null : `${test.latencyMs} ms`,
  ]
    .filter((x) => x !== null && x !== "")
    .join(" · ");
  const what = test.type === "alert.resolved" ? "Test resolution" : "Test notification";
  return (
    <p
      className={`notice${test.outcome === "delivered" ? "" : " error"}`}
      role="status"
      data-testid="channel-test"
    >
      {what} to “{name}”: <b>{test.outcome}</b>
      {answer ? ` (${answer})` : ""}.
    </p>
  );
}

function TargetFields({
  type,
  errors,
}: {
  type: string;
  errors: ReturnType<typeof errorsByInput>;
}) {
  return (
    <>
      {fieldsOf(type).map((f) => (
        <label key={`${type}-${f.name}`}>
          {f.label}
          <input
            name={f.name}
            {...errors.described(f.name)}
            type={f.type ?? "text"}
            required={f.required}
            placeholder={f.placeholder}
            pattern={f.pattern}
            autoComplete={f.type === "password" || f.name === "routingKey" ? "off" : undefined}
          />
          {errors.message(f.name)}
        </label>
      ))}
    </>
  );
}

export default function Channels() {
  const { business, channels, deliveries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const [type, setType] = useState("webhook");
  const names = new Map(channels.map((c) => [c.id, c.name]));
  const inputs = [
    "type",
    "name",
    "severities",
    "renotifyAfter",
    ...fieldsOf(type).map((f) => f.name),
  ];
  const errors = errorsByInput(
    result?.intent === "create" ? result.errors : undefined,
    inputs,
    "channel",
  );
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
        {result?.test ? (
          <TestOutcome test={result.test} name={names.get(result.test.channelId) ?? ""} />
        ) : null}
        {result?.detail ? (
          <p className="notice error" role="alert">
            {result.detail}
          </p>
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
                    <InlineAction intent="test" label="Send test" fields={{ channelId: c.id }} />{" "}
                    {resolvable.has(c.type) ? (
                      <>
                        <InlineAction
                          intent="test-resolve"
                          label="Resolve test"
                          fields={{ channelId: c.id }}
                        />{" "}
                      </>
                    ) : null}
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
                <option value="pagerduty">PagerDuty (Events API v2)</option>
                <option value="teams">Microsoft Teams (Workflows webhook)</option>
                <option value="ntfy">ntfy</option>
                <option value="alertmanager">Prometheus Alertmanager</option>
              </select>
            </label>
            <label>
              Channel name
              <input name="name" placeholder="on-call" {...errors.described("name")} />
              {errors.message("name")}
            </label>
          </div>
          <TargetFields type={type} errors={errors} />
          <fieldset className="row">
            <legend>Severities</legend>
            {["info", "warning", "critical"].map((s) => (
              <label key={s} className="check">
                <input type="checkbox" name="severities" value={s} defaultChecked /> {s}
              </label>
            ))}
            {errors.message("severities")}
          </fieldset>
          <label>
            Remind while open, every (optional)
            <input name="renotifyAfter" placeholder="1h" {...errors.described("renotifyAfter")} />
            {errors.message("renotifyAfter")}
          </label>
          <FieldErrors errors={errors.rest} />
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
