import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  title: string;
  /** The range shown (ISO), whatever the data covers. */
  from: string;
  to: string;
  /** Bucket starts (ISO) and values, per group ("" when not grouped). */
  points: { time: string; group?: string | undefined; value: number | null }[];
}

const palette = ["#2457c5", "#c0392b", "#16a085", "#8e44ad", "#d35400", "#2c3e50", "#7f8c8d"];
/** Most lines one chart draws; the busiest groups win. */
const MAX_LINES = 7;

/** uPlot's columnar data: one x axis (seconds) and a column per group. */
export function toColumns(points: ChartSeries["points"]): {
  groups: string[];
  data: (number | null)[][];
} {
  const times = [...new Set(points.map((p) => Date.parse(p.time)))].sort((a, b) => a - b);
  const weight = new Map<string, number>();
  for (const p of points) weight.set(p.group ?? "", (weight.get(p.group ?? "") ?? 0) + 1);
  const groups = [...weight.keys()]
    .sort((a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0))
    .slice(0, MAX_LINES);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = groups.map(() => new Array<number | null>(times.length).fill(null));
  for (const p of points) {
    const g = groups.indexOf(p.group ?? "");
    const i = index.get(Date.parse(p.time));
    const column = columns[g];
    if (column && i !== undefined) column[i] = p.value;
  }
  return { groups, data: [times.map((t) => t / 1000), ...columns] };
}

/** A time-series chart (uPlot) drawn in the browser; the server renders its frame and a summary. */
export function Chart({ series }: { series: ChartSeries }) {
  const box = useRef<HTMLDivElement>(null);
  const { groups, data } = useMemo(() => toColumns(series.points), [series.points]);

  useEffect(() => {
    const el = box.current;
    if (!el || groups.length === 0) return;
    const plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 180,
        legend: { show: groups.length > 1 || groups[0] !== "" },
        series: [
          {},
          ...groups.map((g, i) => ({
            label: g || series.title,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: false,
          })),
        ],
        scales: {
          x: { time: true, range: [Date.parse(series.from) / 1000, Date.parse(series.to) / 1000] },
        },
        axes: [{}, { size: 50 }],
      },
      data as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [groups, data, series.title, series.from, series.to]);

  const values = series.points.map((p) => p.value).filter((v): v is number => v !== null);
  const summary = values.length
    ? `${values.length} bucket${values.length === 1 ? "" : "s"}, from ${Math.min(...values).toPrecision(4)} to ${Math.max(...values).toPrecision(4)}`
    : "no data in this range";
  return (
    <figure className="chart">
      <figcaption>
        {series.title} <span className="muted">· {summary}</span>
      </figcaption>
      {values.length ? (
        <div ref={box} className="plot" role="img" aria-label={`${series.title}: ${summary}`} />
      ) : null}
    </figure>
  );
}
