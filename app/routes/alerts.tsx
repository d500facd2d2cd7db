import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useLoaderData, useNavigation } from "react-router";
import { AlertActions, BusinessSelect, QuietBadges } from "../components/forms";
import { api, json } from "../lib/api.server";
import { ago, when } from "../lib/format";
import { LiveBadge, useLiveAlerts } from "../lib/live";
import { assertSameOrigin } from "../lib/session.server";

const statuses = ["active", "open", "acknowledged", "resolved"] as const;
const severities = ["critical", "warning", "info"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const url = new URL(request.url);
  const status = statuses.find((s) => s === url.searchParams.get("status")) ?? "active";
  const severity = severities.find((s) => s === url.searchParams.get("severity"));
  const businessId = url.searchParams.get("businessId") || undefined;
  const ruleId = (businessId && url.searchParams.get("ruleId")) || undefined;
  const cursor = url.searchParams.get("cursor") || undefined;
  const [alerts, businesses, rules] = await Promise.all([
    client.v1.alerts
      .$get({ query: { status, severity, businessId, ruleId, cursor, limit: "50" } })
      .then(json),
    client.v1.businesses.$get({ query: { limit: "200" } }).then(json),
    businessId
      ? client.v1.businesses[":id"].rules.$get({ param: { id: businessId } }).then(json)
      : Promise.resolve({ items: [] }),
  ]);
  return {
    alerts,
    businesses: businesses.items,
    rules: rules.items,
    filter: { status, severity, businessId, ruleId },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  const id = String(form.get("id") ?? "");
  const param = { id };
  const res =
    form.get("intent") === "ack"
      ? await client.v1.alerts[":id"].ack.$post({ param })
      : await client.v1.alerts[":id"].resolve.$post({ param });
  if (!res.ok)
    return {
      error: ((await res.json()) as { detail?: string }).detail ?? `failed (${res.status})`,
    };
  return { error: null };
}

type AlertItem = Awaited<ReturnType<typeof loader>>["alerts"]["items"][number];

/** Alerts of one rule and status, opened within this long of each other, are shown as a group. */
const GROUP_SPAN_MS = 5 * 60_000;
/** Groups this large are collapsed. */
const GROUP_MIN = 3;

/** Consecutive alerts (newest first) of one business, rule and status opened close together. */
function groupAlerts(items: AlertItem[]): AlertItem[][] {
  const groups: AlertItem[][] = [];
  for (const a of items) {
    const group = groups.at(-1);
    const first = group?.[0];
    if (
      group &&
      first &&
      first.businessId === a.businessId &&
      first.ruleId === a.ruleId &&
      first.status === a.status &&
      Date.parse(first.openedAt) - Date.parse(a.openedAt) <= GROUP_SPAN_MS
    )
      group.push(a);
    else groups.push([a]);
  }
  return groups;
}

function AlertRow({ a, business, busy }: { a: AlertItem; business: string; busy: boolean }) {
  return (
    <tr data-alert={a.id}>
      <td>
        <span className={`badge ${a.severity}`}>{a.severity}</span>
      </td>
      <td>
        <details>
          <summary>{a.summary}</summary>
          <Link to={`/alerts/${a.id}`}>History and details</Link>
          <pre className="context">{JSON.stringify(a.context, null, 2)}</pre>
          {a.resolution ? <p className="muted">Resolved: {a.resolution}</p> : null}
        </details>
      </td>
      <td>
        <Link to={`/businesses/${a.businessId}`}>{business}</Link> · {a.ruleName}
      </td>
      <td>
        {a.status}
        <QuietBadges alert={a} />
      </td>
      <td>{a.count}</td>
      <td title={when(a.openedAt)}>{ago(a.openedAt)}</td>
      <td className="actions">
        <AlertActions status={a.status} id={a.id} busy={busy} />
      </td>
    </tr>
  );
}

/** A storm (many alerts of one rule opened together) as one row that opens into its alerts. */
function AlertGroup({
  alerts,
  business,
  busy,
}: {
  alerts: AlertItem[];
  business: string;
  busy: boolean;
}) {
  const [open, setOpen] = useState(false);
  const first = alerts[0];
  if (!first) return null;
  const keys = alerts.map((a) => a.groupKey).filter((k) => k !== "");
  const shown =
    keys.slice(0, 3).join(", ") + (keys.length > 3 ? ` and ${keys.length - 3} more` : "");
  const oldest = alerts.at(-1)?.openedAt ?? first.openedAt;
  return (
    <tbody className="alert-group" data-group={first.ruleId}>
      <tr>
        <td>
          <span className={`badge ${first.severity}`}>{first.severity}</span>
        </td>
        <td>
          <button
            type="button"
            className="link"
            aria-expanded={open}
            onClick={() => setOpen(!open)}
          >
            {open ? "▾" : "▸"} {alerts.length} alerts: {first.ruleName}
          </button>
          {shown ? <span className="muted"> · {shown}</span> : null}
        </td>
        <td>
          <Link to={`/businesses/${first.businessId}`}>{business}</Link> · {first.ruleName}
        </td>
        <td>{first.status}</td>
        <td>{alerts.reduce((n, a) => n + a.count, 0)}</td>
        <td title={when(oldest)}>since {ago(oldest)}</td>
        <td />
      </tr>
      {open
        ? alerts.map((a) => <AlertRow key={a.id} a={a} business={business} busy={busy} />)
        : null}
    </tbody>
  );
}

/** The next page's query: the same filters, from the cursor. */
function older(filter: Record<string, string | undefined>, cursor: string): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
  q.set("cursor", cursor);
  return q.toString();
}

export default function Alerts() {
  const { alerts, businesses, rules, filter } = useLoaderData<typeof loader>();
  const busy = useNavigation().state !== "idle";
  const names = new Map(businesses.map((b) => [b.id, b.name]));
  const live = useLiveAlerts(filter.businessId ? [filter.businessId] : businesses.map((b) => b.id));
  return (
    <>
      <h1>
        Alerts <LiveBadge live={live} />
      </h1>
      <Form method="get" className="filters">
        <label>
          Status
          <select name="status" defaultValue={filter.status}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {s === "active" ? "open or acknowledged" : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select name="severity" defaultValue={filter.severity ?? ""}>
            <option value="">any</option>
            {severities.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <BusinessSelect businesses={businesses} value={filter.businessId} />
        {rules.length ? (
          <label>
            Rule
            <select name="ruleId" defaultValue={filter.ruleId ?? ""}>
              <option value="">any</option>
              {rules.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit">Filter</button>
      </Form>
      {alerts.items.length === 0 ? (
        <p className="empty">No alerts match.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Alert</th>
              <th>Business · rule</th>
              <th>Status</th>
              <th>Count</th>
              <th>Opened</th>
              <th />
            </tr>
          </thead>
          {groupAlerts(alerts.items).map((group) =>
            group.length >= GROUP_MIN ? (
              <AlertGroup
                key={group[0]?.id}
                alerts={group}
                business={names.get(group[0]?.businessId ?? "") ?? ""}
                busy={busy}
              />
            ) : (
              <tbody key={group[0]?.id}>
                {group.map((a) => (
                  <AlertRow
                    key={a.id}
                    a={a}
                    business={names.get(a.businessId) ?? a.businessId}
                    busy={busy}
                  />
                ))}
              </tbody>
            ),
          )}
        </table>
      )}
      {alerts.nextCursor ? (
        <Link to={`?${older(filter, alerts.nextCursor)}`}>Older alerts</Link>
      ) : null}
    </>
  );
}
