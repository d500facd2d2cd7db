import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { ViewInput } from "../../../schema/contracts/views";
import { Chart } from "../../components/chart";
import { ViewEditor } from "../../components/view-editor";
import { api, json, problemErrors } from "../../lib/api.server";
import { ruleUses, spansFor, thresholdsFor } from "../../lib/marks";
import { parse } from "../../lib/parse";
import { assertSameOrigin } from "../../lib/session.server";
import { useBusiness } from "./layout";

const HOUR = 3_600_000;
/** The ranges a chart page shows, 1 h to 90 days; the view's saved range is the default. */
export const chartRanges = {
  "1h": HOUR,
  "6h": 6 * HOUR,
  "24h": 24 * HOUR,
  "7d": 7 * 24 * HOUR,
  "30d": 30 * 24 * HOUR,
  "90d": 90 * 24 * HOUR,
} as const;
type RangeName = keyof typeof chartRanges;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const asked = new URL(request.url).searchParams.get("range");
  const [business, view, rules, alerts] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].view.$get({ param }).then(json),
    client.v1.businesses[":id"].rules.$get({ param }).then(json),
    client.v1.alerts.$get({ query: { businessId: param.id, limit: "200" } }).then(json),
  ]);
  const range: RangeName = asked && asked in chartRanges ? (asked as RangeName) : view.range;
  const to = new Date().toISOString();
  const from = new Date(Date.parse(to) - chartRanges[range]).toISOString();
  const inRange = alerts.items.filter((a) => (a.resolvedAt ?? to) >= from);
  const charts = await Promise.all(
    view.charts.map(async (chart) => {
      const res = await client.v1.businesses[":id"].series.$get({
        param,
        query: {
          field: chart.field,
          fn: chart.fn,
          bucket: chart.bucket,
          groupBy: chart.groupBy,
          from,
          to,
        },
      });
      const field = business.fields.find((f) => f.name === chart.field);
      const title =
        chart.title ||
        (chart.field
          ? `${chart.fn} of ${chart.field}${chart.groupBy ? ` per ${chart.groupBy}` : ""}`
          : "Events");
      const series = res.ok ? await json(res) : null;
      // Rules on this field mark the chart: their limits as lines, their alerts as spans.
      const related = rules.items.filter((r) =>
        chart.field ? ruleUses(r, chart.field) : r.kind === "absence" || r.kind === "aggregate",
      );
      return {
        series: {
          title,
          from,
          to,
          bucket: series?.bucket,
          points: series?.items ?? [],
        },
        unit: chart.fn === "count" ? "events" : field?.unit,
        marks: {
          thresholds: thresholdsFor(related, chart.field ?? "", chart.fn),
          spans: spansFor(inRange, new Set(related.map((r) => r.id)), to),
        },
        // A chart the fields no longer support says so rather than failing the page.
        problem: res.ok ? null : "This chart's field or function no longer fits the business.",
      };
    }),
  );
  return { view, charts, range };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const body = parse(ViewInput, viewBody(form));
  if (!body.ok) return { errors: body.errors };
  const client = await api(request, context.cloudflare.env);
  const res = await client.v1.businesses[":id"].view.$put({
    param: { id: params.id ?? "" },
    json: body.data,
  });
  return res.ok ? { errors: [] } : { errors: await problemErrors(res, "view") };
}

/** The view from the chart editor's rows (`chart.N.key`); rows without a function are dropped. */
function viewBody(form: FormData) {
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

export default function Charts() {
  const business = useBusiness();
  const { view, charts, range } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <div className="section-head">
        <h2>Charts</h2>
        <nav className="chips" aria-label="Range">
          {Object.keys(chartRanges).map((r) => (
            <Link
              key={r}
              to={`?range=${r}`}
              className={`chip${r === range ? " on" : ""}`}
              aria-current={r === range ? "true" : undefined}
              preventScrollReset
            >
              {r}
            </Link>
          ))}
        </nav>
      </div>
      {charts.length === 0 ? <p className="empty">No charts in this view.</p> : null}
      <div className="charts">
        {charts.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: charts are the view's, in its order
          <div key={`${c.series.title}-${i}`}>
            <Chart series={c.series} unit={c.unit} marks={c.marks} zone={business.timezone} />
            {c.problem ? <p className="error">{c.problem}</p> : null}
          </div>
        ))}
      </div>
      <details className="edit">
        <summary>Edit charts</summary>
        <ViewEditor business={business} view={view} errors={result?.errors} />
      </details>
    </section>
  );
}
