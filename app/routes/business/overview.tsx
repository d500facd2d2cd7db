import type { LoaderFunctionArgs } from "react-router";
import { Form, Link, useLoaderData } from "react-router";
import { groupStatuses } from "../../../schema/contracts/groups";
import { Sparkline } from "../../components/sparkline";
import { Time } from "../../components/time";
import { api, json } from "../../lib/api.server";
import { LiveBadge, useLiveAlerts } from "../../lib/live";
import { useBusiness } from "./layout";

/** Groups per page of the grid. */
const PAGE = 100;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const search = new URL(request.url).searchParams;
  const status = groupStatuses.find((s) => s === search.get("status"));
  const filter = {
    by: search.get("by") || undefined,
    q: search.get("q") || undefined,
    status,
    cursor: search.get("cursor") || undefined,
  };
  const [groups, alerts] = await Promise.all([
    client.v1.businesses[":id"].groups.$get({ param, query: { ...filter, limit: String(PAGE) } }),
    client.v1.alerts
      .$get({ query: { businessId: param.id, status: "active", limit: "5" } })
      .then(json),
  ]);
  // A `by` that is no field (an old link) shows the default grouping instead of failing.
  const list = groups.ok
    ? await json(groups)
    : await client.v1.businesses[":id"].groups
        .$get({ param, query: { limit: String(PAGE) } })
        .then(json);
  return { groups: list, alerts: alerts.items, filter, offset: Number(filter.cursor ?? 0) };
}

function query(
  base: Record<string, string | undefined>,
  change: Record<string, string | undefined>,
) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...base, ...change })) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : "?";
}

/** The status page: open alerts first, then every group's state, worst first. */
export default function Overview() {
  const business = useBusiness();
  const { groups, alerts, filter, offset } = useLoaderData<typeof loader>();
  const live = useLiveAlerts([business.id]);
  const groupable = business.fields.filter((f) => f.type === "string" || f.type === "enum");
  const base = { by: filter.by, q: filter.q, status: filter.status };
  return (
    <>
      <section>
        <div className="section-head">
          <h2>
            Open alerts <LiveBadge live={live} />
          </h2>
          <Link to={`/alerts?businessId=${business.id}`}>All alerts</Link>
        </div>
        {alerts.length === 0 ? (
          <p className="muted">Nothing is open.</p>
        ) : (
          <ul className="alert-cards">
            {alerts.map((a) => (
              <li key={a.id} className={`alert-card ${a.severity}`}>
                <span className={`badge ${a.severity}`}>{a.severity}</span>{" "}
                <Link to={`/alerts/${a.id}`}>{a.summary}</Link>{" "}
                <span className="muted">
                  · {a.status} ·{" "}
                  <Time at={a.openedAt} zone={business.timezone} relative prefix="opened " />
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="groups-head">
        <div className="section-head">
          <h2 id="groups-head">{groups.by ? `Every ${groups.by}` : "Groups"}</h2>
          {groups.by ? (
            <span className="muted">
              {groups.total.toLocaleString("en-US")} match · worst first
            </span>
          ) : null}
        </div>
        <Form method="get" className="filters" role="search">
          <label>
            Group by
            <select name="by" defaultValue={groups.by ?? ""}>
              {groups.by ? null : <option value="">—</option>}
              {groupable.map((f) => (
                <option key={f.name}>{f.name}</option>
              ))}
            </select>
          </label>
          <label>
            Search
            <input
              name="q"
              type="search"
              defaultValue={filter.q ?? ""}
              placeholder="key contains…"
            />
          </label>
          <button type="submit">Show</button>
        </Form>
        {groups.by ? (
          <nav className="chips" aria-label="Filter by status">
            <Link
              to={query(base, { status: undefined, cursor: undefined })}
              className={`chip${filter.status ? "" : " on"}`}
              aria-current={filter.status ? undefined : "true"}
            >
              all
            </Link>
            {groupStatuses.map((s) => (
              <Link
                key={s}
                to={query(base, { status: s, cursor: undefined })}
                className={`chip ${s}${filter.status === s ? " on" : ""}`}
                aria-current={filter.status === s ? "true" : undefined}
              >
                {groups.counts[s].toLocaleString("en-US")} {s}
              </Link>
            ))}
          </nav>
        ) : (
          <p className="empty">
            No rule groups by a field yet. Choose a field above, or give a rule “Per value of”, to
            see each route or device here.
          </p>
        )}
        {groups.by && groups.items.length === 0 ? <p className="empty">No group matches.</p> : null}
        <ul className="grid" data-testid="group-grid">
          {groups.items.map((g) => (
            <li key={g.key} className={`cell ${g.status}`} data-group={g.key}>
              <div className="cell-head">
                <span className={`state ${g.status}`}>{g.status}</span>
                <Link
                  className="key"
                  to={`/businesses/${business.id}/events?field=${encodeURIComponent(groups.by ?? "")}&value=${encodeURIComponent(g.key)}`}
                >
                  {g.key || "(empty)"}
                </Link>
              </div>
              <Sparkline values={g.perHour} label={`${g.key}: events per hour, last 24 hours`} />
              <p className="muted small">
                <Time at={g.lastSeen} zone={business.timezone} relative prefix="last " />
                {g.activeAlerts
                  ? ` · ${g.activeAlerts} open alert${g.activeAlerts === 1 ? "" : "s"}`
                  : ""}
              </p>
            </li>
          ))}
        </ul>
        {groups.items.length ? (
          <nav className="pager" aria-label="Group pages">
            <span className="muted">
              {offset + 1}–{offset + groups.items.length} of {groups.total.toLocaleString("en-US")}
            </span>
            {offset > 0 ? (
              <Link to={query(base, { cursor: String(Math.max(0, offset - PAGE)) || undefined })}>
                Previous
              </Link>
            ) : null}
            {groups.nextCursor ? (
              <Link to={query(base, { cursor: groups.nextCursor })}>Next</Link>
            ) : null}
          </nav>
        ) : null}
      </section>
    </>
  );
}
