import type { LoaderFunctionArgs } from "react-router";
import { Link, useLoaderData } from "react-router";
import type { Alert } from "../../schema/contracts/alerts";
import type { Business } from "../../schema/contracts/businesses";
import { NoBusinesses } from "../components/forms";
import { Sparkline } from "../components/sparkline";
import { Time } from "../components/time";
import { byRule, fairFirst } from "../lib/alert-groups";
import { api, json } from "../lib/api.server";
import { LiveBadge, useLiveAlerts } from "../lib/live";
import { chosenWorkspace } from "../lib/workspace.server";

interface Card {
  business: Business;
  active: Record<Alert["severity"], number>;
  lastEvent: string | null;
  perHour: number[];
}

/** Two calls however many businesses: their summaries (alerts, last 24 hours) and the open alerts. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const workspaceId = await chosenWorkspace(request);
  const [summary, { items: newest }] = await Promise.all([
    client.v1.businesses.summary.$get({ query: { limit: "200", workspaceId } }).then(json),
    client.v1.alerts.$get({ query: { status: "active", limit: "200", workspaceId } }).then(json),
  ]);
  const cards: Card[] = summary.items.map((s) => ({
    business: s.business,
    active: s.active,
    lastEvent: s.lastEventAt,
    perHour: s.perHour,
  }));
  return { cards, newest };
}

export default function Dashboard() {
  const { cards, newest } = useLoaderData<typeof loader>();
  const live = useLiveAlerts(cards.map((c) => c.business.id));
  const zones = new Map(cards.map((c) => [c.business.id, c.business]));
  return (
    <>
      <h1>Dashboard {cards.length ? <LiveBadge live={live} /> : null}</h1>
      {cards.length === 0 ? (
        <NoBusinesses />
      ) : (
        <ul className="cards">
          {cards.map(({ business, active, lastEvent, perHour }) => (
            <li key={business.id} className="card">
              <Link to={`/businesses/${business.id}`}>
                <h2>{business.name}</h2>
              </Link>
              <p className="badges">
                {(["critical", "warning", "info"] as const).map((s) => (
                  <span key={s} className={`badge ${s}${active[s] ? "" : " zero"}`}>
                    {active[s]} {s}
                  </span>
                ))}
              </p>
              <Sparkline values={perHour} label="Events per hour, last 24 hours" />
              <p className="muted">
                {perHour.reduce((a, b) => a + b, 0).toLocaleString("en-US")} events in 24 h ·{" "}
                <Time at={lastEvent} zone={business.timezone} relative prefix="last " />
              </p>
            </li>
          ))}
        </ul>
      )}
      <div className="section-head">
        <h2>Open alerts</h2>
        {newest.length ? <Link to="/alerts">All open alerts</Link> : null}
      </div>
      {newest.length === 0 ? (
        <p className="muted">Nothing is open.</p>
      ) : (
        <ul className="alert-cards">
          {fairFirst(byRule(newest), 10).map((group) => {
            const a = group[0];
            if (!a) return null;
            const business = zones.get(a.businessId);
            return (
              <li key={a.id} className={`alert-card ${a.severity}`}>
                <span className={`badge ${a.severity}`}>{a.severity}</span>{" "}
                {group.length > 1 ? (
                  <Link to={`/alerts?businessId=${a.businessId}&ruleId=${a.ruleId}`}>
                    {group.length} alerts: {a.ruleName}
                  </Link>
                ) : (
                  <Link to={`/alerts/${a.id}`}>{a.summary}</Link>
                )}{" "}
                <span className="muted">
                  · {business?.name ?? a.businessId} ·{" "}
                  <Time at={a.openedAt} zone={business?.timezone ?? "UTC"} relative />
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
