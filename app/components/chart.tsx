import { useEffect, useMemo, useRef, useState } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { compact, duration, timeTicks, when, withUnit } from "../lib/format";

export interface ChartSeries {
  title: string;
  /** The range shown (ISO), whatever the data covers. */
  from: string;
  to: string;
  /** Bucket width in words (`5m`), for the caption. */
  bucket?: string | undefined;
  /** Bucket starts (ISO) and values, per group ("" when not grouped). */
  points: { time: string; group?: string | undefined; value: number | null }[];
}

/** What a chart marks beyond its lines: rule thresholds, alert spans, an expected band. */
export interface ChartMarks {
  thresholds?: { value: number; label: string }[];
  spans?: { from: number; to: number; severity: string; label: string }[];
  band?: { low: number; high: number; label: string } | undefined;
  /** Anomaly rules' normal bands over time, per group ("" when not grouped), drawn behind their group's line. */
  bands?: { label: string; group: string; points: { time: number; low: number; high: number }[] }[];
  /** Something the chart cannot mark, said under it (e.g. a band of a rule grouped otherwise). */
  notes?: string[];
}

const palette = ["#2457c5", "#b3261e", "#0f7b66", "#7b3fa0", "#a34700", "#2c3e50", "#5f6b73"];
const spanFill: Record<string, string> = {
  critical: "rgba(198, 40, 40, 0.14)",
  warning: "rgba(178, 106, 0, 0.14)",
  info: "rgba(47, 111, 176, 0.12)",
};
/** Lines one chart draws at first; the busiest groups win and a picker offers the rest. */
export const TOP_GROUPS = 7;
/** Groups the picker lists besides the drawn ones; the rest are found by typing. */
const PICKER_ROWS = 200;

/** Groups by how many buckets they have, busiest first. */
export function rankGroups(points: { group?: string | undefined }[]): string[] {
  const weight = new Map<string, number>();
  for (const p of points) weight.set(p.group ?? "", (weight.get(p.group ?? "") ?? 0) + 1);
  return [...weight.keys()].sort(
    (a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0) || (a < b ? -1 : 1),
  );
}

/** uPlot's columnar data: one x axis (seconds) and a column per chosen group. */
export function toColumns(points: ChartSeries["points"], groups: string[]): (number | null)[][] {
  const times = [...new Set(points.map((p) => Date.parse(p.time)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = groups.map(() => new Array<number | null>(times.length).fill(null));
  for (const p of points) {
    const g = groups.indexOf(p.group ?? "");
    const i = index.get(Date.parse(p.time));
    const column = columns[g];
    if (column && i !== undefined) column[i] = p.value;
  }
  return [times.map((t) => t / 1000), ...columns];
}

/** `#2457c5` at `alpha`, for a band behind its line. */
function tint(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Draws thresholds, spans and bands on the plot's canvas; `groups` are the lines drawn, in palette order. */
function drawMarks(u: uPlot, marks: ChartMarks, groups: string[]) {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (const b of marks.bands ?? []) {
    const i = groups.indexOf(b.group);
    if (i < 0 || b.points.length === 0) continue;
    ctx.fillStyle =
      groups.length > 1
        ? tint(palette[i % palette.length] ?? "#0f7b66", 0.12)
        : "rgba(15, 123, 102, 0.16)";
    ctx.beginPath();
    b.points.forEach((p, j) => {
      const x = u.valToPos(p.time / 1000, "x", true);
      const y = u.valToPos(p.high, "y", true);
      if (j === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    for (const p of [...b.points].reverse())
      ctx.lineTo(u.valToPos(p.time / 1000, "x", true), u.valToPos(p.low, "y", true));
    ctx.closePath();
    ctx.fill();
  }
  for (const s of marks.spans ?? []) {
    const x0 = Math.max(bbox.left, u.valToPos(s.from / 1000, "x", true));
    const x1 = Math.min(bbox.left + bbox.width, u.valToPos(s.to / 1000, "x", true));
    if (x1 <= x0) continue;
    ctx.fillStyle = spanFill[s.severity] ?? spanFill.warning ?? "";
    ctx.fillRect(x0, bbox.top, Math.max(x1 - x0, 2), bbox.height);
  }
  if (marks.band) {
    const y0 = u.valToPos(marks.band.high, "y", true);
    const y1 = u.valToPos(marks.band.low, "y", true);
    ctx.fillStyle = "rgba(15, 123, 102, 0.12)";
    ctx.fillRect(
      u.valToPos(u.scales.x?.min ?? 0, "x", true),
      Math.max(bbox.top, y0),
      bbox.width,
      Math.max(1, y1 - y0),
    );
  }
  // The plot's own left and right edges (the x scale's ends), not the axis area.
  const left = u.valToPos(u.scales.x?.min ?? 0, "x", true);
  const right = u.valToPos(u.scales.x?.max ?? 0, "x", true);
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5 * devicePixelRatio;
  ctx.strokeStyle = "#b3261e";
  ctx.fillStyle = "#b3261e";
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  for (const t of marks.thresholds ?? []) {
    const y = u.valToPos(t.value, "y", true);
    if (y < bbox.top || y > bbox.top + bbox.height) continue;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(right, y);
    ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText(t.label, right - 4 * devicePixelRatio, y - 4 * devicePixelRatio);
  }
  ctx.restore();
}

/**
 * A time-series chart (uPlot, drawn in the browser after the page hydrated; the
 * server renders its caption and summary). Values carry their unit; rule
 * thresholds are dashed lines, alert spans shaded; the busiest groups are drawn
 * and a picker offers every other one.
 */
export function Chart({
  series,
  unit,
  zone,
  marks = {},
  height = 200,
}: {
  series: ChartSeries;
  unit?: string | null | undefined;
  /** The business's time zone: axis ticks and the legend's times are in it. */
  zone: string;
  marks?: ChartMarks;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const ranked = useMemo(() => rankGroups(series.points), [series.points]);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const groups = useMemo(() => chosen ?? ranked.slice(0, TOP_GROUPS), [chosen, ranked]);
  // The picker lists the drawn groups, then those matching `find`, a few hundred at a time.
  const [find, setFind] = useState("");
  const needle = find.trim().toLowerCase();
  const others = ranked.filter((g) => !groups.includes(g) && g.toLowerCase().includes(needle));
  const matching = groups.length + others.length;
  const offered = [...groups, ...others.slice(0, PICKER_ROWS)];
  // Callers pass marks inline: the plot is redrawn only when what they say changes.
  const marksKey = JSON.stringify(marks);
  const drawn = useMemo(() => JSON.parse(marksKey) as ChartMarks, [marksKey]);
  const grouped = ranked.length > 1 || (ranked[0] ?? "") !== "";
  const data = useMemo(() => toColumns(series.points, groups), [series.points, groups]);

  useEffect(() => {
    const el = box.current;
    if (!el || groups.length === 0 || data.length < 2) return;
    // Values within the range of the marks too, so a threshold above the data still shows.
    const extra = [
      ...(drawn.thresholds ?? []).map((t) => t.value),
      ...(drawn.band ? [drawn.band.low, drawn.band.high] : []),
      ...(drawn.bands ?? [])
        .filter((b) => groups.includes(b.group))
        .flatMap((b) => b.points.flatMap((p) => [p.low, p.high])),
    ];
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { show: groups.length > 1 },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
        series: [
          { value: (_u, v) => (v == null ? "—" : when(v * 1000, zone)) },
          ...groups.map((g, i) => ({
            label: g || series.title,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => withUnit(v, unit),
          })),
        ],
        scales: {
          x: { time: true, range: [Date.parse(series.from) / 1000, Date.parse(series.to) / 1000] },
          y: {
            range: (_u, min, max) => {
              const lo = Math.min(min, ...extra);
              const hi = Math.max(max, ...extra);
              const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
              return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
            },
          },
        },
        axes: [
          {
            // 24-hour ticks in the business's zone, the day shown where it changes.
            values: (_u, splits, _axis, _space, incr) =>
              timeTicks(
                splits.map((v) => v * 1000),
                zone,
                incr * 1000,
              ),
            size: 48,
          },
          {
            values: (_u, splits) => splits.map((v) => compact(v) + (unit ? ` ${unit}` : "")),
            size: (_u, values) =>
              Math.max(40, ...(values ?? []).map((v) => String(v).length * 7 + 18)),
          },
        ],
        hooks: { draw: [(u) => drawMarks(u, drawn, groups)] },
      },
      data as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, groups, series.title, series.from, series.to, unit, drawn, height, zone]);

  const values = series.points.map((p) => p.value).filter((v): v is number => v !== null);
  const span = Date.parse(series.to) - Date.parse(series.from);
  const summary = values.length
    ? `lowest ${withUnit(Math.min(...values), unit)}, highest ${withUnit(Math.max(...values), unit)}`
    : "no data in this range";
  return (
    <figure className="chart">
      <figcaption>
        {series.title}
        <span className="muted">
          {" "}
          · last {duration(span)}
          {series.bucket ? ` in ${series.bucket} buckets` : ""} · {summary}
        </span>
      </figcaption>
      {values.length ? (
        <div ref={box} className="plot" role="img" aria-label={`${series.title}: ${summary}`} />
      ) : null}
      {grouped && ranked.length > TOP_GROUPS ? (
        <details className="picker">
          <summary>
            Showing {groups.length} of {ranked.length.toLocaleString("en-US")} — choose
          </summary>
          <label className="find">
            Find
            <input
              type="search"
              value={find}
              onChange={(e) => setFind(e.target.value)}
              placeholder="key contains…"
            />
          </label>
          <fieldset className="choices">
            <legend className="sr-only">Groups drawn in {series.title}</legend>
            {offered.map((g) => (
              <label key={g} className="check">
                <input
                  type="checkbox"
                  checked={groups.includes(g)}
                  onChange={(e) =>
                    setChosen(
                      e.target.checked
                        ? ranked.filter((x) => x === g || groups.includes(x))
                        : groups.filter((x) => x !== g),
                    )
                  }
                />{" "}
                {g || "(none)"}
              </label>
            ))}
            {offered.length < matching ? (
              <span className="muted small">
                and {(matching - offered.length).toLocaleString("en-US")} more: type to narrow
              </span>
            ) : null}
          </fieldset>
        </details>
      ) : null}
      {values.length ? (
        <p className="legend muted">
          <span>times in {zone}</span>
          {marks.thresholds?.length ? <span className="key threshold">rule threshold</span> : null}
          {marks.spans?.length ? <span className="key span">alert open</span> : null}
          {marks.band ? <span className="key band">{marks.band.label}</span> : null}
          {[
            ...new Set(
              (marks.bands ?? []).filter((b) => groups.includes(b.group)).map((b) => b.label),
            ),
          ].map((label) => (
            <span key={label} className="key band">
              {label}
            </span>
          ))}
        </p>
      ) : null}
      {values.length && marks.notes?.length ? (
        <p className="muted small">{marks.notes.join(" ")}</p>
      ) : null}
    </figure>
  );
}
