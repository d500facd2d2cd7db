import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import type { Rule } from "../../../schema/contracts/rules";
import { ViewInput } from "../../../schema/contracts/views";
import { Chart, type ChartMarks, rankGroups, TOP_GROUPS } from "../../components/chart";
import type { FieldError } from "../../components/forms";
import { ViewEditor } from "../../components/view-editor";
import { api, json, pageApi, problemErrors } from "../../lib/api.server";
import { when } from "../../lib/format";
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

export async function loader(args: LoaderFunctionArgs) {
  const { client, param } = await pageApi(args);
  const asked = new URL(args.request.url).searchParams.get("range");
  const [business, view, rules, alerts] = await Promise.all([
    client.v1.businesses[":id"].$get({ param }).then(json),
    client.v1.businesses[":id"].view.$get({ param }).then(json),
    client.v1.businesses[":id"].rules.$get({ param }).then(json),
    client.v1.alerts.$get({ query: { businessId: param.id, limit: "200" } }).then(json),
  ]);
  const range: RangeName = asked && asked in chartRanges ? (asked as RangeName) : view.range;
  const to = new Date().toISOString();
  const from = rangeStart(Date.parse(to), chartRanges[range]);
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
      const points = series?.items ?? [];
      const anomalies = await anomalyBands(client, param, related, chart, points, {
        from,
        to,
        bucket: series?.bucket,
      });
      const partial = series?.incompleteBefore;
      if (partial)
        anomalies.notes = [
          `Before ${when(partial, business.timezone)} this chart leaves out the events the business no longer keeps: its buckets or grouping are not in the hourly summaries that outlive them.`,
          ...(anomalies.notes ?? []),
        ];
      return {
        series: {
          title,
          from,
          to,
          bucket: series?.bucket,
          points,
        },
        unit: chart.fn === "count" ? "events" : field?.unit,
        marks: {
          thresholds: thresholdsFor(related, chart.field ?? "", chart.fn),
          spans: spansFor(inRange, new Set(related.map((r) => r.id)), to),
          ...anomalies,
        },
        // A chart the fields no longer support says so rather than failing the page.
        problem: res.ok ? null : "This chart's field or function no longer fits the business.",
      };
    }),
  );
  return { view, charts, range };
}

/**
 * Where a range of `length` ending `to` starts: a range of a day or more at
 * the whole hour, so its series is whole hours that the hourly summaries
 * answer in full (a ragged first hour would count only the events still kept).
 */
function rangeStart(to: number, length: number): string {
  const start = to - length;
  return new Date(length >= 24 * HOUR ? start - (start % HOUR) : start).toISOString();
}

type Client = Awaited<ReturnType<typeof api>>;
type ViewChart = { field?: string | undefined; fn: string; groupBy?: string | undefined };

/**
 * The normal bands of the anomaly rules on a chart's field, for the groups the
 * chart draws first (TOP_GROUPS of them; picked ones have none). A band is in
 * the unit of single values, so it marks charts of their average, lowest or
 * highest, not sums or counts; a rule watching each value of another field
 * than the chart's grouping is said, not drawn.
 */
async function anomalyBands(
  client: Client,
  param: { id: string },
  related: Rule[],
  chart: ViewChart,
  points: { group?: string | undefined }[],
  range: { from: string; to: string; bucket: string | undefined },
): Promise<Pick<ChartMarks, "bands" | "notes">> {
  const bands: NonNullable<ChartMarks["bands"]> = [];
  const notes: string[] = [];
  const drawn = new Set(rankGroups(points).slice(0, TOP_GROUPS));
  for (const rule of related) {
    if (rule.kind !== "anomaly" || rule.field !== chart.field || !rule.enabled) continue;
    if (!["avg", "min", "max"].includes(chart.fn)) {
      notes.push(
        `The anomaly rule “${rule.name}” judges single values: chart the average of ${rule.field} to see its normal band.`,
      );
      continue;
    }
    if ((rule.groupBy ?? "") !== (chart.groupBy ?? "")) {
      notes.push(
        rule.groupBy
          ? `The anomaly rule “${rule.name}” learns each ${rule.groupBy} apart: chart ${rule.field} per ${rule.groupBy} to see its normal bands.`
          : `The anomaly rule “${rule.name}” learns all events together: chart ${rule.field} without grouping to see its normal band.`,
      );
      continue;
    }
    const res = await client.v1.businesses[":id"].rules[":ruleId"].band.$get({
      param: { id: param.id, ruleId: rule.id },
      query: { from: range.from, to: range.to, ...(range.bucket ? { bucket: range.bucket } : {}) },
    });
    if (!res.ok) continue;
    const band = await json(res);
    const byGroup = new Map<string, { time: number; low: number; high: number }[]>();
    for (const p of band.items) {
      const group = p.group ?? "";
      if (!drawn.has(group)) continue;
      const list = byGroup.get(group) ?? [];
      // The band is drawn across its bucket, as the line's point is at the bucket's start.
      list.push({ time: Date.parse(p.time), low: p.low, high: p.high });
      byGroup.set(group, list);
    }
    for (const [group, list] of byGroup)
      bands.push({ label: `normal band of “${rule.name}”`, group, points: list });
  }
  return { bands, notes };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const { view, rows } = viewBody(form);
  // A problem of `charts.N.key` is told at the editor's row it came from (`chart.R.key`).
  const atRows = (errors: FieldError[]) =>
    errors.map((e) => ({
      ...e,
      path: e.path.replace(/^charts\.(\d+)\./, (_, n: string) => `chart.${rows[Number(n)]}.`),
    }));
  const body = parse(ViewInput, view);
  if (!body.ok) return { errors: atRows(body.errors) };
  const client = await api(request, context.cloudflare.env);
  const res = await client.v1.businesses[":id"].view.$put({
    param: { id: params.id ?? "" },
    json: body.data,
  });
  return res.ok ? { errors: [] } : { errors: atRows(await problemErrors(res, "view")) };
}

/**
 * The view from the chart editor's rows (`chart.N.key`); rows without a function are dropped.
 * `rows[i]` is the editor row of the view's chart i.
 */
function viewBody(form: FormData) {
  const charts: Record<string, string>[] = [];
  const rows: number[] = [];
  for (let i = 0; form.has(`chart.${i}.fn`); i++) {
    const get = (k: string) => String(form.get(`chart.${i}.${k}`) ?? "").trim();
    if (!get("fn") || form.get(`chart.${i}.remove`)) continue;
    const chart: Record<string, string> = { fn: get("fn") };
    for (const k of ["title", "field", "bucket", "groupBy"]) if (get(k)) chart[k] = get(k);
    charts.push(chart);
    rows.push(i);
  }
  return { view: { charts, range: String(form.get("range") ?? "24h") }, rows };
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
