import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, redirect, useLoaderData, useNavigation } from "react-router";
import { AlertActions, BusinessSelect, NamedSelect, QuietBadges } from "../components/forms";
import { Time } from "../components/time";
import { GROUP_MIN, groupAlerts } from "../lib/alert-groups";
import { api, json, problemText } from "../lib/api.server";
import { LiveBadge, useLiveAlerts } from "../lib/live";
import { assertSameOrigin } from "../lib/session.server";
import { chosenWorkspace } from "../lib/workspace.server";

const statuses = ["active", "open", "acknowledged", "resolved"] as const;
const severities = ["critical", "warning", "info"] as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const url = new URL(request.url);
  // Links of older notifications (`/alerts?alert=…`) open the alert's page.
  const linked = url.searchParams.get("alert");
  if (linked) throw redirect(`/alerts/${encodeURIComponent(linked)}`);
  const status = statuses.find((s) => s === url.searchParams.get("status")) ?? "active";
  const severity = severities.find((s) => s === url.searchParams.get("severity"));
  const businessId = url.searchParams.get("businessId") || undefined;
  const ruleId = (businessId && url.searchParams.get("ruleId")) || undefined;
  const cursor = url.searchParams.get("cursor") || undefined;
  const workspaceId = await chosenWorkspace(request);
  const [alerts, businesses, rules] = await Promise.all([
    client.v1.alerts
      .$get({ query: { status, severity, businessId, ruleId, cursor, limit: "50", workspaceId } })
      .then(json),
    client.v1.businesses.$get({ query: { limit: "200", workspaceId } }).then(json),
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
  if (!res.ok) return { error: await problemText(res) };
  return { error: null };
}

type AlertItem = Awaited<ReturnType<typeof loader>>["alerts"]["items"][number];
/** The business an alert belongs to, as the list shows it. */
interface Named {
  name: string;
  timezone: string;
}

function AlertRow({ a, business, busy }: { a: AlertItem; business: Named; busy: boolean }) {
  return (
    <tr data-alert={a.id}>
      <td data-label="Severity">
        <span className={`badge ${a.severity}`}>{a.severity}</span>
      </td>
      <td data-label="Alert" className="summary">
        <Link to={`/alerts/${a.id}`}>{a.summary}</Link>
        {a.resolution ? <span className="muted"> · {a.resolution}</span> : null}
      </td>
      <td data-label="Where">
        <Link to={`/businesses/${a.businessId}`}>{business.name}</Link> · {a.ruleName}
      </td>
      <td data-label="Status">
        {a.status}
        <QuietBadges alert={a} />
      </td>
      <td data-label="Count">{a.count}</td>
      <td data-label="Opened">
        <Time at={a.openedAt} zone={business.timezone} relative />
      </td>
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
  business: Named;
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
        <td data-label="Severity">
          <span className={`badge ${first.severity}`}>{first.severity}</span>
        </td>
        <td data-label="Alerts" className="summary">
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
        <td data-label="Where">
          <Link to={`/businesses/${first.businessId}`}>{business.name}</Link> · {first.ruleName}
        </td>
        <td data-label="Status">{first.status}</td>
        <td data-label="Count">{alerts.reduce((n, a) => n + a.count, 0)}</td>
        <td data-label="Since">
          <Time at={oldest} zone={business.timezone} relative />
        </td>
        <td className="actions" />
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
  const names = new Map<string, Named>(businesses.map((b) => [b.id, b]));
  const named = (id: string | undefined): Named =>
    names.get(id ?? "") ?? { name: id ?? "", timezone: "UTC" };
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
          <NamedSelect label="Rule" name="ruleId" items={rules} value={filter.ruleId} none="any" />
        ) : null}
        <button type="submit">Filter</button>
      </Form>
      {alerts.items.length === 0 ? (
        <p className="empty">No alerts match.</p>
      ) : (
        <table className="table cards-on-phone alerts-table">
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
                business={named(group[0]?.businessId)}
                busy={busy}
              />
            ) : (
              <tbody key={group[0]?.id}>
                {group.map((a) => (
                  <AlertRow key={a.id} a={a} business={named(a.businessId)} busy={busy} />
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
