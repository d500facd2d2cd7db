import { useState } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import type { Rule } from "../../schema/contracts/rules";
import { BusinessEditor, FieldEditor, fieldBody } from "../components/business-editor";
import { Chart } from "../components/chart";
import { InlineAction } from "../components/forms";
import { RuleForm, RuleStanding, ruleBody } from "../components/rule-form";
import { ViewEditor } from "../components/view-editor";
import { api, json } from "../lib/api.server";
import { ago, when } from "../lib/format";
import { assertSameOrigin } from "../lib/session.server";

const rangeMs = {
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
} as const;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const search = new URL(request.url).searchParams;
  const cursor = search.get("events") || undefined;
  const eventFilter = {
    field: search.get("field") || undefined,
    value: search.get("field") ? (search.get("value") ?? "") : undefined,
  };
  const [business, sources, rules, events, view] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].sources.$get({ param }).then(json),
    client.v1.businesses[":id"].rules.$get({ param }).then(json),
    client.v1.businesses[":id"].events
      .$get({ param, query: { limit: "25", cursor, ...eventFilter } })
      .then(json),
    client.v1.businesses[":id"].view.$get({ param }).then(json),
  ]);
  const to = new Date().toISOString();
  const from = new Date(Date.parse(to) - rangeMs[view.range]).toISOString();
  const charts = await Promise.all(
    view.charts.map(async (chart) => {
      const series = await client.v1.businesses[":id"].series.$get({
        param,
        query: {
          field: chart.field,
          fn: chart.fn,
          bucket: chart.bucket,
          groupBy: chart.groupBy,
          from,
        },
      });
      const title = chart.title || (chart.field ? `${chart.fn}(${chart.field})` : "Events");
      // A chart the fields no longer support shows as empty rather than failing the page.
      return { title, from, to, points: series.ok ? (await json(series)).items : [] };
    }),
  );
  return {
    business,
    sources: sources.items,
    rules: rules.items,
    events,
    eventFilter,
    view,
    charts,
  };
}

type ActionResult = {
  intent: string;
  token?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
};

/** The view from the chart editor's rows (`chart.N.key`); rows without a function are dropped. */
function viewBody(form: FormData): Record<string, unknown> {
  const charts: Record<string, string>[] = [];
  for (let i = 0; form.has(`chart.${i}.fn`); i++) {
    const get = (k: string) => String(form.get(`chart.${i}.${k}`) ?? "").trim();
    if (!get("fn") || form.get(`chart.${i}.remove`)) continue;
    const chart: Record<string, string> = { fn: get("fn") };
    for (const k of ["title", "field", "bucket", "groupBy"]) if (get(k)) chart[k] = get(k);
    charts.push(chart);
  }
  return { charts, range: String(form.get("range") ?? "24h") };
}

export async function action({
  request,
  params,
  context,
}: ActionFunctionArgs): Promise<ActionResult> {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const form = await request.formData();
  const intent = String(form.get("intent"));
  let res: { ok: boolean; status: number; json(): Promise<unknown> };
  switch (intent) {
    case "create-source":
      res = await client.v1.businesses[":id"].sources.$post({
        param,
        json: { name: String(form.get("name") ?? "") },
      });
      break;
    case "revoke-source":
      res = await client.v1.businesses[":id"].sources[":sourceId"].$delete({
        param: { ...param, sourceId: String(form.get("sourceId")) },
      });
      break;
    case "create-rule":
      res = await client.v1.businesses[":id"].rules.$post({ param, json: ruleBody(form) as never });
      break;
    case "update-rule":
      res = await client.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { ...param, ruleId: String(form.get("ruleId")) },
        json: ruleBody(form, true) as never,
      });
      break;
    case "update-business":
      res = await client.v1.businesses[":id"].$patch({
        param,
        json: {
          name: String(form.get("name") ?? ""),
          description: String(form.get("description") ?? ""),
          timezone: String(form.get("timezone") ?? ""),
        },
      });
      break;
    case "add-field":
      res = await client.v1.businesses[":id"].fields.$post({
        param,
        json: fieldBody(form, false) as never,
      });
      break;
    case "update-field":
      res = await client.v1.businesses[":id"].fields[":name"].$patch({
        param: { ...param, name: String(form.get("field")) },
        json: fieldBody(form, true) as never,
      });
      break;
    case "remove-field":
      res = await client.v1.businesses[":id"].fields[":name"].$delete({
        param: { ...param, name: String(form.get("field")) },
      });
      break;
    case "save-view":
      res = await client.v1.businesses[":id"].view.$put({ param, json: viewBody(form) as never });
      break;
    case "delete-rule":
      res = await client.v1.businesses[":id"].rules[":ruleId"].$delete({
        param: { ...param, ruleId: String(form.get("ruleId")) },
      });
      break;
    case "toggle-rule":
      res = await client.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { ...param, ruleId: String(form.get("ruleId")) },
        json: { enabled: form.get("enabled") === "true" },
      });
      break;
    default:
      return { intent, detail: "Unknown action." };
  }
  if (res.status === 204) return { intent };
  const data = (await res.json()) as {
    token?: string;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  if (!res.ok) return { intent, detail: data.detail, errors: data.errors ?? [] };
  return { intent, token: data.token };
}

function describeRule(r: Rule): string {
  switch (r.kind) {
    case "immediate":
      return r.condition;
    case "absence":
      return `no event for ${r.window}`;
    case "aggregate":
      return `${r.expression} over ${r.window}`;
    case "anomaly":
      return `anomalies in ${r.field}`;
  }
}

function TokenOnce({ token }: { token: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice" role="status">
      <p>The source's token, shown only now:</p>
      <code data-testid="source-token">{token}</code>{" "}
      <button
        type="button"
        onClick={() => {
          void navigator.clipboard?.writeText(token).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

export default function BusinessPage() {
  const { business, sources, rules, events, eventFilter, view, charts } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const columns = business.fields.map((f) => f.name);
  return (
    <>
      <h1>{business.name}</h1>
      <p className="muted">
        {business.description ? `${business.description} · ` : ""}
        {business.timezone} · id <code>{business.id}</code>
      </p>
      <p>
        <Link to={`/businesses/${business.id}/connect`}>Connect a source</Link> ·{" "}
        <Link to={`/businesses/${business.id}/channels`}>Channels and deliveries</Link> ·{" "}
        <Link to={`/businesses/${business.id}/silences`}>Silences</Link> ·{" "}
        <Link to={`/suggestions?businessId=${business.id}`}>Suggestions</Link> ·{" "}
        <Link to={`/alerts?businessId=${business.id}`}>Alerts</Link>
      </p>

      <section>
        <div className="section-head">
          <h2>Charts</h2>
          <span className="muted">last {view.range}</span>
        </div>
        {charts.length === 0 ? <p className="empty">No charts in this view.</p> : null}
        <div className="charts">
          {charts.map((c, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: charts are the view's, in its order
            <Chart key={`${c.title}-${i}`} series={c} />
          ))}
        </div>
        <details className="edit">
          <summary>Edit charts</summary>
          <ViewEditor
            business={business}
            view={view}
            errors={result?.intent === "save-view" ? result.errors : undefined}
          />
        </details>
      </section>

      <details className="edit">
        <summary>Edit business</summary>
        <BusinessEditor
          business={business}
          errors={result?.intent === "update-business" ? result.errors : undefined}
        />
      </details>

      <section>
        <h2>Fields</h2>
        {result?.detail && result.intent.endsWith("-field") ? (
          <p className="error" role="alert">
            {result.detail}
          </p>
        ) : null}
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Required</th>
              <th>Values · unit</th>
            </tr>
          </thead>
          <tbody>
            {business.fields.map((f) => (
              <tr key={f.name}>
                <td>
                  <code>{f.name}</code>
                </td>
                <td>{f.type}</td>
                <td>{f.required ? "yes" : ""}</td>
                <td>{[f.values?.join(", "), f.unit].filter(Boolean).join(" · ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <details className="edit">
          <summary>Edit fields</summary>
          <div className="stack">
            {business.fields
              .filter((f) => f.name !== business.timeField)
              .map((f) => (
                <FieldEditor key={`${f.name}-${business.version}`} field={f} />
              ))}
            <FieldEditor
              errors={result?.intent === "add-field" ? result.errors : undefined}
              key={`new-${business.version}`}
            />
          </div>
        </details>
      </section>

      <section>
        <h2>Sources</h2>
        {result?.intent === "create-source" && result.token ? (
          <TokenOnce token={result.token} />
        ) : null}
        <ul className="list">
          {sources.map((s) => (
            <li key={s.id}>
              <b>{s.name}</b> <code>{s.tokenPrefix}…</code>{" "}
              <span className="muted">created {ago(s.createdAt)}</span>{" "}
              {s.revokedAt ? (
                <span className="badge zero">revoked</span>
              ) : (
                <InlineAction intent="revoke-source" label="Revoke" fields={{ sourceId: s.id }} />
              )}
            </li>
          ))}
        </ul>
        <Form method="post" className="row">
          <label>
            New source name
            <input name="name" required placeholder="camel-prod" />
          </label>
          <button type="submit" name="intent" value="create-source">
            Create source
          </button>
        </Form>
      </section>

      <section>
        <h2>Rules</h2>
        {rules.length === 0 ? <p className="muted">No rules yet.</p> : null}
        <ul className="list">
          {rules.map((r) => (
            <li key={r.id}>
              <span className={`badge ${r.severity}`}>{r.severity}</span> <b>{r.name}</b>{" "}
              <span className="muted">{r.kind}</span> <code>{describeRule(r)}</code>
              {r.groupBy ? <span className="muted"> per {r.groupBy}</span> : null}{" "}
              <RuleStanding rule={r} />{" "}
              <Link to={`/businesses/${business.id}/silences?ruleId=${r.id}`}>Silence</Link>{" "}
              <InlineAction
                intent="toggle-rule"
                label={r.enabled ? "Disable" : "Enable"}
                fields={{ ruleId: r.id, enabled: String(!r.enabled) }}
              />{" "}
              <InlineAction
                intent="delete-rule"
                label="Delete"
                fields={{ ruleId: r.id }}
                confirm={`Delete the rule “${r.name}”? Its open alerts are resolved.`}
              />
              <details className="edit">
                <summary>Edit</summary>
                <RuleForm
                  business={business}
                  rule={r}
                  errors={result?.intent === "update-rule" ? result.errors : undefined}
                />
              </details>
            </li>
          ))}
        </ul>
        <RuleForm
          business={business}
          errors={result?.intent === "create-rule" ? result.errors : undefined}
        />
      </section>

      <section>
        <h2>Recent events</h2>
        <Form method="get" className="filters">
          <label>
            Where field
            <select name="field" defaultValue={eventFilter.field ?? ""}>
              <option value="">—</option>
              {columns.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label>
            equals
            <input name="value" defaultValue={eventFilter.value ?? ""} />
          </label>
          <button type="submit">Filter events</button>
        </Form>
        {events.items.length === 0 ? (
          <p className="muted">
            {eventFilter.field
              ? "No events match."
              : `No events yet. Send some: POST /v1/ingest/${business.id} with a source token.`}
          </p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Time</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {events.items.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.time)}</td>
                  {columns.map((c) => (
                    <td key={c}>{e.data[c] === undefined ? "" : String(e.data[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {events.nextCursor ? (
          <Link
            to={`?${new URLSearchParams({ ...(eventFilter.field ? { field: eventFilter.field, value: eventFilter.value ?? "" } : {}), events: events.nextCursor })}`}
          >
            Older events
          </Link>
        ) : null}
      </section>
    </>
  );
}
