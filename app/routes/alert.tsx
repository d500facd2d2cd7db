import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { AlertTransition } from "../../schema/contracts/alerts";
import type { Field } from "../../schema/contracts/businesses";
import { CardTable } from "../components/card-table";
import { Chart } from "../components/chart";
import { InlineAction, QuietBadges } from "../components/forms";
import { Time } from "../components/time";
import { alertSeriesQuery } from "../lib/alert-series";
import { api, json, problemText } from "../lib/api.server";
import { num, when, withUnit } from "../lib/format";
import { LiveBadge, useLiveAlerts } from "../lib/live";
import { thresholdsFor } from "../lib/marks";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const alert = await client.v1.alerts[":id"].$get({ param: { id: params.id ?? "" } }).then(json);
  const param = { id: alert.businessId };
  const [business, rules, deliveries, channels] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].rules.$get({ param }).then(json),
    client.v1.businesses[":id"].deliveries
      .$get({ param, query: { alertId: alert.id, limit: "100" } })
      .then(json),
    client.v1.businesses[":id"].channels.$get({ param }).then(json),
  ]);
  const rule = rules.items.find((r) => r.id === alert.ruleId);
  const q = alertSeriesQuery(alert, rule, business, Date.now());
  const res = await client.v1.businesses[":id"].series.$get({ param, query: q });
  const series = res.ok ? await json(res) : null;
  // An anomaly rule's normal band as it moved over the window, not only at the alert.
  const band =
    rule?.kind === "anomaly" && series
      ? await client.v1.businesses[":id"].rules[":ruleId"].band
          .$get({
            param: { id: alert.businessId, ruleId: rule.id },
            query: {
              from: q.from,
              to: q.to,
              bucket: series.bucket,
              ...(q.group !== undefined ? { group: q.group } : {}),
            },
          })
          .then((r) => (r.ok ? json(r) : null))
      : null;
  return {
    alert,
    business,
    rule: rule ?? null,
    chart: {
      query: q,
      points: series?.items ?? [],
      bucket: series?.bucket,
      thresholds: rule && q.field ? thresholdsFor([rule], q.field, q.fn) : [],
      band: (band?.items ?? []).map((p) => ({
        time: Date.parse(p.time),
        low: p.low,
        high: p.high,
        group: p.group ?? "",
      })),
    },
    deliveries: deliveries.items,
    channels: Object.fromEntries(channels.items.map((c) => [c.id, c.name ?? c.type])),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const form = await request.formData();
  const intent = form.get("intent");
  const res =
    intent === "ack"
      ? await client.v1.alerts[":id"].ack.$post({ param })
      : intent === "snooze"
        ? await client.v1.alerts[":id"].snooze.$post({
            param,
            json: { for: String(form.get("for") ?? "1h") },
          })
        : intent === "forget"
          ? await client.v1.alerts[":id"].forget.$post({ param })
          : await client.v1.alerts[":id"].resolve.$post({ param });
  if (res.ok) return { error: null, done: String(intent) };
  return { error: await problemText(res), done: null };
}

const labels: Record<string, string> = {
  value: "Value",
  expected: "Expected",
  low: "Normal from",
  high: "Normal up to",
  deviation: "Standard deviations off",
  window: "Window",
  events: "Events in the window",
  lastSeen: "Last event",
  deadline: "Due by",
  lastIngest: "Last data",
};

/** A context value in words: numbers with the field's unit, times in the zone, the rest as text. */
function show(key: string, value: unknown, unit: string | undefined, zone: string): string {
  if (typeof value === "number")
    return ["value", "expected", "low", "high"].includes(key) ? withUnit(value, unit) : num(value);
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)) return when(value, zone);
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A history step in words. */
function step(t: AlertTransition): string {
  const detail = t.detail ?? {};
  const resolution = typeof detail.resolution === "string" ? detail.resolution : undefined;
  const summary = typeof detail.summary === "string" ? detail.summary : undefined;
  if (t.type === "opened") return summary ? `Opened: ${summary}` : "Opened";
  if (t.type === "acknowledged") return "Acknowledged";
  return resolution ? `Resolved: ${resolution}` : "Resolved";
}

function EventTable({
  event,
  fields,
  zone,
}: {
  event: Record<string, unknown>;
  fields: Field[];
  zone: string;
}) {
  const byName = new Map(fields.map((f) => [f.name, f]));
  return (
    <table className="table kv">
      <tbody>
        {Object.entries(event).map(([k, v]) => {
          const f = byName.get(k);
          const text =
            f?.type === "timestamp" && (typeof v === "number" || typeof v === "string")
              ? when(v, zone, { seconds: true })
              : typeof v === "number"
                ? withUnit(v, f?.unit)
                : String(v);
          return (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{text}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One alert: where every notification leads. What, since when, the series around it, what to do. */
export default function AlertPage() {
  const { alert, business, rule, chart, deliveries, channels } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const live = useLiveAlerts([business.id]);
  const zone = business.timezone;
  const unit = business.fields.find((f) => f.name === chart.query.field)?.unit;
  const { event, ...details } = alert.context as { event?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  // The band over the window when the rule's detector could replay it, else the one at the alert.
  const bands = chart.band.length
    ? [{ label: "normal band", group: chart.band[0]?.group ?? "", points: chart.band }]
    : [];
  const band =
    !bands.length && typeof details.low === "number" && typeof details.high === "number"
      ? { low: details.low, high: details.high, label: "normal band at the alert" }
      : undefined;
  const end = alert.resolvedAt ?? chart.query.to;
  return (
    <article className="alert-page">
      <p className="crumbs">
        <Link to={`/businesses/${business.id}`}>{business.name}</Link> ·{" "}
        <Link to={`/alerts?businessId=${business.id}`}>its alerts</Link>
      </p>
      <h1 className="alert-title">
        <span className={`badge ${alert.severity}`}>{alert.severity}</span> {alert.summary}
      </h1>
      <p className={`status-line ${alert.status}`}>
        <b>
          {alert.status === "open"
            ? "Open"
            : alert.status === "acknowledged"
              ? "Acknowledged"
              : "Resolved"}
        </b>
        <QuietBadges alert={alert} /> · rule{" "}
        <Link to={`/businesses/${business.id}/rules`}>{alert.ruleName}</Link>
        {alert.groupKey && alert.groupKey !== "*"
          ? ` · ${rule?.groupBy ?? "key"} ${alert.groupKey}`
          : ""}{" "}
        · {alert.count} time{alert.count === 1 ? "" : "s"} ·{" "}
        <Time at={alert.openedAt} zone={zone} relative prefix="opened " />
        {alert.lastTriggeredAt !== alert.openedAt ? (
          <>
            {" "}
            · <Time at={alert.lastTriggeredAt} zone={zone} relative prefix="last " />
          </>
        ) : null}{" "}
        <LiveBadge live={live} />
      </p>
      {result?.error ? (
        <p className="error" role="alert">
          {result.error}
        </p>
      ) : null}
      {result?.done === "snooze" ? (
        <p className="notice" role="status">
          Snoozed: a silence on this rule and key was created.
        </p>
      ) : null}
      {alert.status !== "resolved" ? (
        <div className="big-actions">
          <Form method="post" className="decide">
            {alert.status === "open" ? (
              <button type="submit" name="intent" value="ack" disabled={busy} className="big">
                Acknowledge
              </button>
            ) : null}
            <button type="submit" name="intent" value="resolve" disabled={busy} className="big">
              Resolve
            </button>
          </Form>
          <Form method="post" className="snooze">
            <label>
              Snooze for
              <select name="for" defaultValue="1h">
                {["30m", "1h", "4h", "1d", "7d"].map((d) => (
                  <option key={d}>{d}</option>
                ))}
              </select>
            </label>
            <button
              type="submit"
              name="intent"
              value="snooze"
              disabled={busy}
              className="big secondary"
            >
              Snooze
            </button>
          </Form>
        </div>
      ) : null}
      <div className="row quiet-actions">
        <Link
          to={`/businesses/${business.id}/silences?ruleId=${alert.ruleId}&groupKey=${encodeURIComponent(alert.groupKey)}`}
        >
          Silence…
        </Link>
        {alert.groupKey ? (
          <InlineAction
            intent="forget"
            label="Forget this key"
            fields={{}}
            confirm={`Forget “${alert.groupKey}”? The alert resolves and the key is not watched until it reports again.`}
          />
        ) : null}
      </div>

      <section>
        <h2>Around the alert</h2>
        <Chart
          series={{
            title: chart.query.field
              ? `${chart.query.fn} of ${chart.query.field}${chart.query.group !== undefined ? ` for ${chart.query.group}` : ""}`
              : `Events${chart.query.group !== undefined ? ` for ${chart.query.group}` : ""}`,
            from: chart.query.from,
            to: chart.query.to,
            bucket: chart.bucket,
            points: chart.points,
          }}
          unit={chart.query.field ? unit : "events"}
          zone={zone}
          marks={{
            thresholds: chart.thresholds,
            spans: [
              {
                from: Date.parse(alert.openedAt),
                to: Date.parse(end),
                severity: alert.severity,
                label: alert.summary,
              },
            ],
            band,
            bands,
          }}
        />
      </section>

      {event ? (
        <section>
          <h2>The event that opened it</h2>
          <EventTable event={event} fields={business.fields} zone={zone} />
        </section>
      ) : null}
      {Object.keys(details).length ? (
        <section>
          <h2>Details</h2>
          <dl className="details">
            {Object.entries(details).map(([k, v]) => (
              <div key={k}>
                <dt>{labels[k] ?? k}</dt>
                <dd>{show(k, v, unit, zone)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}

      <section>
        <h2>History</h2>
        <ol className="timeline">
          {alert.history.map((t) => (
            <li key={t.id}>
              <Time at={t.at} zone={zone} /> — {step(t)}
            </li>
          ))}
        </ol>
      </section>

      <section>
        <h2>Notifications sent</h2>
        {deliveries.length === 0 ? (
          <p className="muted">
            None for this alert{alert.historical ? " (opened by history, never notified)" : ""}.{" "}
            <Link to={`/businesses/${business.id}/channels`}>Channels</Link>
          </p>
        ) : (
          <CardTable
            rows={deliveries}
            rowKey={(d) => d.id}
            rowProps={(d) => ({ "data-delivery": d.id })}
            columns={[
              { head: "When", cell: (d) => <Time at={d.createdAt} zone={zone} /> },
              { head: "Channel", cell: (d) => channels[d.channelId] ?? d.channelId },
              {
                head: "Message",
                cell: (d) =>
                  `${d.type.replace("alert.", "")}${d.attempt > 1 ? ` (attempt ${d.attempt})` : ""}`,
              },
              {
                head: "Outcome",
                className: (d) => (d.outcome === "delivered" ? "ok" : "error"),
                cell: (d) => (
                  <>
                    {d.outcome}
                    {d.statusCode ? ` · HTTP ${d.statusCode}` : ""}
                    {d.error && !d.statusCode ? ` · ${d.error}` : ""}
                    {d.latencyMs !== null ? ` · ${num(d.latencyMs)} ms` : ""}
                  </>
                ),
              },
            ]}
          />
        )}
      </section>
    </article>
  );
}
