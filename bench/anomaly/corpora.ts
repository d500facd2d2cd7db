/**
 * The anomaly benchmark's corpora and its table, shared by the offline run
 * (the detector alone) and the replay through the real stack:
 *
 * - synthetic: the labelled series of series.ts (spikes, shifts, drifts, inverted days);
 * - traits: realistic traits (traits.ts: square waves, flat lines, steps, bursts, gaps, irregular sampling);
 * - skab: real pump sensors (a folder of SKAB's CSV files; not part of the repository).
 */
import type { Sensitivity } from "../../workers/business/engine/anomaly";
import { normalised, type SeriesScore, scoreSeries, type Window, windowsAround } from "./nab";
import { anomalyTypes, labelledSeries } from "./series";
import { readSkab } from "./skab";
import { traitCorpus } from "./traits";

export const sensitivities: Sensitivity[] = ["low", "medium", "high"];

export interface Case {
  id: string;
  corpus: string;
  kind: string;
  /** One or more series judged together (a SKAB run's sensors: an opening on any is a detection). */
  series: { time: number; value: number }[][];
  times: number[];
  windows: Window[];
}

/** NAB windows for labelled intervals: the usual window around each start, stretched over the interval. */
function windowsFor(times: number[], anomalies: { from: number; to: number }[]): Window[] {
  const around = windowsAround(
    times,
    anomalies.map((a) => a.from),
  );
  return around.map((w, i) => ({
    from: Math.min(w.from, anomalies[i]?.from ?? w.from),
    to: Math.max(w.to, anomalies[i]?.to ?? w.to),
  }));
}

export function buildCases(o: { per: number; skab: string; only: string }): Case[] {
  const start = Date.UTC(2026, 0, 5);
  const cases: Case[] = [];
  if (!o.only || o.only === "synthetic")
    for (const type of anomalyTypes)
      for (let i = 0; i < o.per; i++) {
        const seed = 1000 * (anomalyTypes.indexOf(type) + 1) + i;
        const s = labelledSeries({ type, seed, start });
        const times = s.points.map((p) => p.time);
        cases.push({
          id: `${type}-${seed}`,
          corpus: "synthetic",
          kind: type,
          series: [s.points],
          times,
          windows: windowsFor(times, s.anomaly ? [s.anomaly] : []),
        });
      }
  if (!o.only || o.only === "traits")
    for (const s of traitCorpus(o.per, start)) {
      const times = s.points.map((p) => p.time);
      cases.push({
        id: s.id,
        corpus: "traits",
        kind: s.trait,
        series: [s.points],
        times,
        windows: windowsFor(times, s.anomalies),
      });
    }
  if (o.skab && (!o.only || o.only === "skab"))
    for (const run of readSkab(o.skab)) {
      cases.push({
        id: run.id,
        corpus: "skab",
        kind: run.id.split("/")[0] ?? "skab",
        series: Object.values(run.sensors).map((values) =>
          values.map((value, i) => ({ time: run.times[i] ?? 0, value })),
        ),
        times: run.times,
        // SKAB labels whole faults: the fault is the window.
        windows: run.anomalies,
      });
    }
  return cases;
}

/**
 * Prints the table: for each corpus and sensitivity the NAB standard score,
 * windows found, openings, openings outside windows, and openings per 1,000
 * points on series without labelled anomalies. `openings(c, s)` gives a case's
 * alert openings at a sensitivity (event times).
 */
export function printTable(
  cases: Case[],
  openings: (c: Case, s: Sensitivity) => number[],
  byKind: boolean,
): void {
  const pad = (x: string | number, n: number) => String(x).padStart(n);
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  console.log(
    `${"corpus".padEnd(10)}${"kind".padEnd(18)}${pad("sens", 7)}${pad("NAB", 7)}${pad("found", 8)}${pad("alerts", 8)}${pad("false", 7)}${pad("false/1k pts", 14)}`,
  );
  for (const corpus of [...new Set(cases.map((c) => c.corpus))]) {
    const mine = cases.filter((c) => c.corpus === corpus);
    for (const s of sensitivities) {
      const rows = new Map<
        string,
        { scores: SeriesScore[]; alerts: number; cleanPoints: number; cleanAlerts: number }
      >();
      for (const c of mine) {
        const detections = openings(c, s);
        const score = scoreSeries({ times: c.times, windows: c.windows, detections });
        for (const key of [c.kind, "all"]) {
          const r = rows.get(key) ?? { scores: [], alerts: 0, cleanPoints: 0, cleanAlerts: 0 };
          r.scores.push(score);
          r.alerts += detections.length;
          if (c.windows.length === 0) {
            r.cleanPoints += c.times.length * c.series.length;
            r.cleanAlerts += detections.length;
          }
          rows.set(key, r);
        }
      }
      for (const [kind, r] of rows) {
        if (kind !== "all" && !byKind) continue;
        const found = r.scores.reduce((a, x) => a + x.tp, 0);
        const windows = r.scores.reduce((a, x) => a + x.tp + x.fn, 0);
        const fp = r.scores.reduce((a, x) => a + x.fp, 0);
        console.log(
          `${corpus.padEnd(10)}${kind.padEnd(18)}${pad(s, 7)}${pad(windows ? f(normalised(r.scores)) : "-", 7)}${pad(`${found}/${windows}`, 8)}${pad(r.alerts, 8)}${pad(fp, 7)}${pad(r.cleanPoints ? f((1000 * r.cleanAlerts) / r.cleanPoints, 2) : "-", 14)}`,
        );
      }
    }
  }
}

/** Command-line options shared by both runners. */
export function options(argv: string[], skabDefault: string) {
  const opt = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
  };
  return {
    per: Number(opt("--per", "10")),
    skab: opt("--skab", skabDefault),
    only: opt("--only", ""),
    byKind: argv.includes("--kinds"),
  };
}
