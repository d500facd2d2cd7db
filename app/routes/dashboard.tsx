import type { LoaderFunctionArgs } from "react-router";
import { Link, useLoaderData } from "react-router";
import type { Alert } from "../../schema/contracts/alerts";
import type { Business } from "../../schema/contracts/businesses";
import { NoBusinesses } from "../components/forms";
import { api, json } from "../lib/api.server";
import { ago } from "../lib/format";
import { LiveBadge, useLiveAlerts } from "../lib/live";

interface Card {
  business: Business;
  active: Record<Alert["severity"], number>;
  lastEvent: string | null;
  perHour: number[];
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const [{ items: businesses }, { items: newest }] = await Promise.all([
    client.v1.businesses.$get({ query: { limit: "200" } }).then(json),
    client.v1.alerts.$get({ query: { status: "active", limit: "10" } }).then(json),
  ]);
  const cards: Card[] = await Promise.all(
    businesses.map(async (business) => {
      const param = { id: business.id };
      const [alerts, events, series] = await Promise.all([
        client.v1.alerts
          .$get({
            query: { businessId: business.id, status: "active", limit: "500" },
          })
          .then(json),
        client.v1.businesses[":id"].events.$get({ param, query: { limit: "1" } }).then(json),
        client.v1.businesses[":id"].series
          .$get({
            param,
            query: { fn: "count", bucket: "1h" },
          })
          .then(json),
      ]);
      const active = { info: 0, warning: 0, critical: 0 };
      for (const a of alerts.items) active[a.severity] += 1;
      const byHour = new Map(series.items.map((p) => [Date.parse(p.time), p.count]));
      const start = Date.parse(series.from) - (Date.parse(series.from) % 3_600_000);
      const perHour = Array.from(
        { length: 24 },
        (_, i) => byHour.get(start + (i + 1) * 3_600_000) ?? 0,
      );
      return { business, active, lastEvent: events.items[0]?.time ?? null, perHour };
    }),
  );
  return { cards, newest };
}

function Sparkline({ values }: { values: number[] }) {
  const max = Math.max(1, ...values);
  const points = values
    .map((v, i) => `${(i / (values.length - 1)) * 100},${28 - (v / max) * 26}`)
    .join(" ");
  return (
    <svg
      className="spark"
      viewBox="0 0 100 30"
      preserveAspectRatio="none"
      role="img"
      aria-label="Events per hour, last 24 hours"
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export default function Dashboard() {
  const { cards, newest } = useLoaderData<typeof loader>();
  const live = useLiveAlerts(cards.map((c) => c.business.id));
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
              <Sparkline values={perHour} />
              <p className="muted">
                {perHour.reduce((a, b) => a + b, 0)} events in 24 h · last {ago(lastEvent)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <h2>Newest open alerts</h2>
      {newest.length === 0 ? (
        <p className="muted">Nothing is open. </p>
      ) : (
        <ul className="alerts">
          {newest.map((a) => (
            <li key={a.id} className={`alert ${a.severity}`}>
              <span className={`badge ${a.severity}`}>{a.severity}</span> {a.summary}{" "}
              <span className="muted">· {ago(a.openedAt)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
