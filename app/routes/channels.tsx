import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { ChannelTestResult, Delivery } from "../../schema/contracts/channels";
import { type Channel, ChannelCreate, channelTypes } from "../../schema/contracts/channels";
import { CardTable } from "../components/card-table";
import {
  errorsByInput,
  FieldErrors,
  InlineAction,
  type InputErrors,
  TextField,
} from "../components/forms";
import { formPost, json, pageApi, problemResult } from "../lib/api.server";
import { when } from "../lib/format";
import { parse } from "../lib/parse";

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const cursor = new URL(args.request.url).searchParams.get("deliveries") || undefined;
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
  targetFields[channelTypes.find((t) => t === type) ?? "webhook"];

/** The type's inputs as body keys; an optional one left empty is left out. */
function targetBody(type: string, text: (k: string) => string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fieldsOf(type)) {
    if (f.required || text(f.name)) body[f.name] = text(f.name);
  }
  return body;
}

/** The new-channel form as a `ChannelCreate` body; all three severities mean all (none sent). */
function createBody(form: FormData, text: (k: string) => string): Record<string, unknown> {
  const type = text("type");
  const body: Record<string, unknown> = {
    type,
    name: text("name") || undefined,
    ...targetBody(type, text),
  };
  const severities = form.getAll("severities").map(String);
  if (severities.length && severities.length < 3) body.severities = severities;
  if (text("renotifyAfter")) body.renotifyAfter = text("renotifyAfter");
  return body;
}

/** An action's outcome: done, or the API's refusal at its inputs or as a sentence. */
async function outcome(intent: string, res: Parameters<typeof problemResult>[0]): Promise<Result> {
  return res.ok ? { intent } : { intent, ...(await problemResult(res)) };
}

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, form, text, intent, param } = await formPost(args);
  const channels = client.v1.businesses[":id"].channels;
  const channelParam = { ...param, channelId: text("channelId") };
  switch (intent) {
    case "create": {
      const body = parse(ChannelCreate, createBody(form, text));
      if (!body.ok) return { intent, errors: body.errors };
      const res = await channels.$post({ param, json: body.data });
      if (!res.ok) return outcome(intent, res);
      return { intent, secret: (await json(res)).secret };
    }
    case "toggle":
      return outcome(
        intent,
        await channels[":channelId"].$patch({
          param: channelParam,
          json: { enabled: text("enabled") === "true" },
        }),
      );
    case "delete":
      return outcome(intent, await channels[":channelId"].$delete({ param: channelParam }));
    case "test":
    case "test-resolve": {
      const res = await channels[":channelId"].test.$post({
        param: channelParam,
        json: { type: intent === "test" ? "alert.opened" : "alert.resolved" },
      });
      if (!res.ok) return outcome(intent, res);
      return { intent, test: { ...(await json(res)), channelId: channelParam.channelId } };
    }
    case "resend":
      return outcome(
        intent,
        await client.v1.deliveries[":id"].resend.$post({ param: { id: text("deliveryId") } }),
      );
    default:
      return { intent, detail: "Unknown action." };
  }
}

function target(c: Channel): string {
  if (c.type === "email") return c.to ?? "";
  if (c.type === "ntfy") return `${c.topic ?? ""} on ${c.url ?? ""}`;
  return c.url ?? "";
}

/** Types whose test opens something on the other side (an incident, an alert) that a second test resolves. */
const resolvable = new Set<Channel["type"]>(["pagerduty", "alertmanager"]);

/** What an endpoint answered: `200 · 41 ms`, `timed out`. */
function answerOf(d: Pick<Delivery, "statusCode" | "error" | "latencyMs">): string {
  return [d.statusCode, d.error, d.latencyMs === null ? null : `${d.latencyMs} ms`]
    .filter((x) => x !== null && x !== "")
    .join(" · ");
}

function TestOutcome({ test, name }: { test: NonNullable<Result["test"]>; name: string }) {
  const answer = answerOf(test);
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

function TargetFields({ type, errors }: { type: string; errors: InputErrors }) {
  return (
    <>
      {fieldsOf(type).map((f) => (
        <TextField
          key={`${type}-${f.name}`}
          label={f.label}
          name={f.name}
          errors={errors}
          type={f.type ?? "text"}
          required={f.required}
          placeholder={f.placeholder}
          pattern={f.pattern}
          autoComplete={f.type === "password" || f.name === "routingKey" ? "off" : undefined}
        />
      ))}
    </>
  );
}

/** The business's channels, each with its test, enable/disable and delete actions. */
function ChannelTable({ channels }: { channels: Channel[] }) {
  return (
    <CardTable
      rows={channels}
      rowKey={(c) => c.id}
      empty="No channels: alerts are kept, but nobody is told."
      columns={[
        {
          head: "Name",
          cell: (c) => (
            <>
              {c.name} {c.enabled ? null : <span className="badge zero">disabled</span>}
            </>
          ),
        },
        { head: "Type", cell: (c) => c.type },
        { head: "Target", className: "wrap", cell: target },
        { head: "Severities", cell: (c) => c.severities?.join(", ") ?? "all" },
        { head: "Reminders", cell: (c) => (c.renotifyAfter ? `every ${c.renotifyAfter}` : "—") },
        {
          head: "",
          className: "actions",
          cell: (c) => (
            <>
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
            </>
          ),
        },
      ]}
    />
  );
}

/** Every attempt to notify, newest first; a failed one can be sent again. */
function DeliveryLog({
  deliveries,
  names,
  timeZone,
}: {
  deliveries: Delivery[];
  names: Map<string, string>;
  timeZone: string;
}) {
  return (
    <CardTable
      rows={deliveries}
      rowKey={(d) => d.id}
      empty="No deliveries yet."
      columns={[
        { head: "Time", cell: (d) => when(d.createdAt, timeZone) },
        { head: "Channel", cell: (d) => names.get(d.channelId) ?? d.channelId },
        {
          head: "Message",
          cell: (d) => (
            <>
              {d.type} <Link to={`/alerts/${d.alertId}`}>alert</Link>
            </>
          ),
        },
        { head: "Attempt", cell: (d) => d.attempt },
        {
          head: "Outcome",
          cell: (d) => (
            <span className={`badge ${d.outcome === "delivered" ? "info" : "critical"}`}>
              {d.outcome}
            </span>
          ),
        },
        { head: "Answer", className: "wrap", cell: answerOf },
        {
          head: "",
          cell: (d) =>
            d.outcome === "delivered" ? null : (
              <InlineAction intent="resend" label="Resend" fields={{ deliveryId: d.id }} />
            ),
        },
      ]}
    />
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
        <ChannelTable channels={channels} />
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
            <TextField label="Channel name" name="name" placeholder="on-call" errors={errors} />
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
          <TextField
            label="Remind while open, every (optional)"
            name="renotifyAfter"
            placeholder="1h"
            errors={errors}
          />
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
        <DeliveryLog deliveries={deliveries.items} names={names} timeZone={business.timezone} />
        {deliveries.nextCursor ? (
          <Link to={`?deliveries=${deliveries.nextCursor}`}>Older deliveries</Link>
        ) : null}
      </section>
    </>
  );
}
