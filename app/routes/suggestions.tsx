import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Suggestion } from "../../schema/contracts/suggestions";
import { BusinessSelect, NoBusinesses } from "../components/forms";
import { Time } from "../components/time";
import { api, json, problemText } from "../lib/api.server";
import { when } from "../lib/format";
import { assertSameOrigin } from "../lib/session.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const url = new URL(request.url);
  const only = url.searchParams.get("businessId") || undefined;
  const businesses = (await json(await client.v1.businesses.$get({ query: { limit: "200" } })))
    .items;
  const shown = only ? businesses.filter((b) => b.id === only) : businesses;
  const sections = await Promise.all(
    shown.map(async (business) => ({
      business,
      ...(await json(
        await client.v1.businesses[":id"].suggestions.$get({
          param: { id: business.id },
          query: { status: "pending" },
        }),
      )),
    })),
  );
  return { sections, businesses, only };
}

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const form = await request.formData();
  const intent = String(form.get("intent"));
  const id = String(form.get("id") ?? "");
  const param = { id };
  if (intent === "approve") {
    const res = await client.v1.suggestions[":id"].approve.$post({ param });
    if (!res.ok) return { id, error: await problemText(res), done: null };
    return { id, error: null, done: `Rule “${(await json(res)).name}” created.` };
  }
  const res =
    intent === "run"
      ? await client.v1.businesses[":id"].suggestions.run.$post({ param })
      : await client.v1.suggestions[":id"].reject.$post({ param });
  if (!res.ok) return { id, error: await problemText(res), done: null };
  const done =
    intent === "run" ? "Profile run finished." : "Suggestion rejected; it will not come back.";
  return { id, error: null, done };
}

const kindLabel: Record<string, string> = {
  absence: "Absence",
  immediate: "Condition",
  aggregate: "Aggregate",
  anomaly: "Anomaly",
};

export default function Suggestions() {
  const { sections, businesses, only } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <h1>Suggestions</h1>
      <p className="muted">
        Rules the profile engine drafted from each business's history (daily, or when you run it).
        Approve to create the rule as it is; reject and the same idea does not come back.
      </p>
      {businesses.length > 1 ? (
        <Form method="get" className="filters">
          <BusinessSelect businesses={businesses} value={only} />
          <button type="submit">Show</button>
        </Form>
      ) : null}
      {result?.done ? (
        <p className="notice" role="status">
          {result.done}
        </p>
      ) : null}
      {result?.error ? (
        <p className="error" role="alert">
          {result.error}
        </p>
      ) : null}
      {sections.length === 0 ? <NoBusinesses /> : null}
      {sections.map(({ business, items, run }) => (
        <section key={business.id} aria-labelledby={`s-${business.id}`}>
          <div className="section-head">
            <h2 id={`s-${business.id}`}>
              <Link to={`/businesses/${business.id}`}>{business.name}</Link>
            </h2>
            <Form method="post">
              <input type="hidden" name="id" value={business.id} />
              <button type="submit" name="intent" value="run" disabled={busy}>
                Run profile now
              </button>
            </Form>
          </div>
          <p className="muted">
            {run ? (
              <>
                <Time at={run.ranAt} zone={business.timezone} relative prefix="Last run " />:{" "}
                {run.events.toLocaleString("en-US")} events from {when(run.from, business.timezone)}
                {run.groupField ? `, streams by ${run.groupField}` : ""}.
              </>
            ) : (
              "Not profiled yet."
            )}
          </p>
          {items.length === 0 ? (
            <p className="empty">No pending suggestions.</p>
          ) : (
            <ul className="cards">
              {items.map((s) => (
                <SuggestionCard key={s.id} s={s} busy={busy} zone={business.timezone} />
              ))}
            </ul>
          )}
          {run?.notes.length ? (
            <details>
              <summary>Not suggested ({run.notes.length})</summary>
              <ul>
                {run.notes.map((n) => (
                  <li key={n.subject}>
                    <strong>{n.subject}</strong>: {n.reason}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </section>
      ))}
    </>
  );
}

function SuggestionCard({ s, busy, zone }: { s: Suggestion; busy: boolean; zone: string }) {
  const e = s.evidence;
  const quantiles = (e.gapMs ?? e.quantiles ?? e.dailyTotal) as Record<string, number> | undefined;
  return (
    <li className="card" data-suggestion={s.id}>
      <p className="eyebrow">
        {kindLabel[s.rule.kind] ?? s.rule.kind} · {s.rule.name}
      </p>
      <p className="rationale">{s.rationale}</p>
      {quantiles ? <Spread q={quantiles} ms={e.gapMs !== undefined} /> : null}
      <p className="muted">
        From {e.sampleSize.toLocaleString("en-US")} {e.unit} ({when(e.from, zone)} to{" "}
        {when(e.to, zone)}). Backtest{" "}
        {e.backtest.summary ??
          `over ${e.backtest.days} days: ${e.backtest.alerts} alert${e.backtest.alerts === 1 ? "" : "s"}`}
        .{" "}
        {e.backtest.lowConfidence ? (
          <span className="badge warning" title="Less than two weeks of history behind it">
            low confidence
          </span>
        ) : null}
      </p>
      <details>
        <summary>Rule body</summary>
        <pre className="context">{JSON.stringify(s.rule, null, 2)}</pre>
      </details>
      <Form method="post" className="decide">
        <input type="hidden" name="id" value={s.id} />
        <button type="submit" name="intent" value="approve" disabled={busy}>
          Approve
        </button>
        <button type="submit" name="intent" value="reject" className="secondary" disabled={busy}>
          Reject
        </button>
      </Form>
    </li>
  );
}

/** A small strip of the evidence's quantiles: where most values lie, and the extremes. */
function Spread({ q, ms }: { q: Record<string, number>; ms: boolean }) {
  const points = Object.entries(q).filter(([k, v]) => k !== "mad" && Number.isFinite(v));
  const values = points.map(([, v]) => v);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const x = (v: number) => (hi > lo ? 4 + ((v - lo) / (hi - lo)) * 292 : 150);
  const show = (v: number) =>
    !ms
      ? Number(v.toPrecision(4)).toString()
      : v < 60_000
        ? `${Math.round(v / 1000)} s`
        : `${Math.round(v / 60_000)} min`;
  return (
    <svg className="spread" viewBox="0 0 300 34" role="img" aria-label="Quantiles">
      <line x1="4" x2="296" y1="12" y2="12" className="axis" />
      {points.map(([k, v]) => (
        <g key={k}>
          <circle cx={x(v)} cy="12" r="3" />
          <title>{`${k}: ${show(v)}`}</title>
        </g>
      ))}
      <text x="4" y="31">
        {show(lo)}
      </text>
      <text x="296" y="31" textAnchor="end">
        {show(hi)}
      </text>
    </svg>
  );
}
