import type { LoaderFunctionArgs } from "react-router";
import { NavLink, Outlet, useLoaderData, useOutletContext } from "react-router";
import type { Business } from "../../../schema/contracts/businesses";
import { Time } from "../../components/time";
import { json, pageApi } from "../../lib/api.server";

/**
 * The business's tabs, in order: a path under /businesses/{id} and a label.
 * Adding a tab is one line here and one route in app/routes.ts.
 */
export const tabs = [
  ["", "Status"],
  ["charts", "Charts"],
  ["events", "Events"],
  ["add", "Add events"],
  ["rules", "Rules"],
  ["sources", "Sources"],
  ["connect", "Connect"],
  ["channels", "Channels"],
  ["silences", "Silences"],
  ["settings", "Settings"],
] as const;

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const [business, alerts, events, groups] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.alerts
      .$get({ query: { businessId: param.id, status: "active", limit: "500" } })
      .then(json),
    client.v1.businesses[":id"].events.$get({ param, query: { limit: "1" } }).then(json),
    client.v1.businesses[":id"].groups.$get({ param, query: { limit: "1" } }).then(json),
  ]);
  const open = { critical: 0, warning: 0, info: 0 };
  for (const a of alerts.items) open[a.severity] += 1;
  return {
    business,
    open,
    lastEvent: events.items[0]?.time ?? null,
    groups: { by: groups.by, counts: groups.counts },
  };
}

/** The business shown by the tab around it. */
export function useBusiness(): Business {
  return useOutletContext<Business>();
}

type Health = "down" | "degraded" | "ok";

function health(
  open: Record<"critical" | "warning" | "info", number>,
  counts: Record<string, number>,
): Health {
  if (open.critical || counts.down) return "down";
  if (open.warning || counts.late || counts.anomalous) return "degraded";
  return "ok";
}

const words: Record<Health, string> = {
  down: "Needs attention",
  degraded: "Degraded",
  ok: "All good",
};

/** A business: its health at a glance, then one tab at a time. */
export default function BusinessLayout() {
  const { business, open, lastEvent, groups } = useLoaderData<typeof loader>();
  const state = health(open, groups.counts);
  const openTotal = open.critical + open.warning + open.info;
  return (
    <>
      <header className={`status-head ${state}`}>
        <div>
          <h1>{business.name}</h1>
          {business.description ? <p className="muted">{business.description}</p> : null}
        </div>
        <dl className="glance">
          <div>
            <dt>Health</dt>
            <dd data-testid="health">
              <span className={`dot ${state}`} aria-hidden="true" /> {words[state]}
            </dd>
          </div>
          <div>
            <dt>Open alerts</dt>
            <dd>
              <a href={`/alerts?businessId=${business.id}`}>
                {openTotal === 0
                  ? "none"
                  : (["critical", "warning", "info"] as const)
                      .filter((s) => open[s])
                      .map((s) => `${open[s]} ${s}`)
                      .join(", ")}
              </a>
            </dd>
          </div>
          {groups.by ? (
            <div>
              <dt>{groups.by}</dt>
              <dd>
                {groups.counts.down} down · {groups.counts.late} late · {groups.counts.anomalous}{" "}
                anomalous · {groups.counts.up} up
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Last event</dt>
            <dd>
              <Time at={lastEvent} zone={business.timezone} relative />
            </dd>
          </div>
          <div>
            <dt>Time zone</dt>
            <dd>{business.timezone}</dd>
          </div>
        </dl>
      </header>
      <nav className="tabs" aria-label={`${business.name} sections`}>
        {tabs.map(([path, label]) => (
          <NavLink
            key={path}
            to={`/businesses/${business.id}${path ? `/${path}` : ""}`}
            end={path === ""}
            preventScrollReset
          >
            {label}
          </NavLink>
        ))}
      </nav>
      <Outlet context={business} />
    </>
  );
}
