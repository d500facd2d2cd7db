import { existsSync } from "node:fs";
/**
 * bench/anomaly offline: the detector alone (the same code the business DO
 * runs, fed the same points in the same order, so the verdicts are the ones a
 * replay through ingest gives) over three corpora, scored like the Numenta
 * Anomaly Benchmark's standard profile and by precision, recall and false
 * alerts per 1,000 points:
 *
 * - the labelled synthetic series of series.ts (spikes, shifts, drifts, inverted days);
 * - realistic traits (traits.ts: square waves, flat lines, steps, bursts, gaps, irregular sampling);
 * - SKAB, real pump sensors (a folder given with --skab; not part of the repository).
 *
 * Usage: npm run bench:anomaly -- [--skab <folder>] [--per 10] [--only traits|synthetic|skab] [--kinds]
 */
import {
  newDetectorState,
  observe,
  SENSITIVITY,
  type Sensitivity,
} from "../../workers/business/engine/anomaly";
import { normalised, type SeriesScore, scoreSeries, type Window, windowsAround } from "./nab";
import { anomalyTypes, labelledSeries } from "./series";
import { readSkab } from "./skab";
import { traitCorpus } from "./traits";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const per = Number(opt("--per", "10"));
// SKAB sits beside the project on the development machine; another folder can be named.
const skabDir = opt("--skab", existsSync("../shared/data/skab") ? "../shared/data/skab" : "");
const only = opt("--only", "");
const sensitivities: Sensitivity[] = ["low", "medium", "high"];
const start = Date.UTC(2026, 0, 5);

interface Case {
  corpus: string;
  kind: string;
  /** One or more series judged together (a SKAB run's sensors: an alert on any is a detection). */
  series: { time: number; value: number }[][];
  times: number[];
  windows: Window[];
  zone: string;
}

/** Alert openings of one series at one sensitivity. */
function openings(points: { time: number; value: number }[], zone: string, s: Sensitivity) {
  const state = newDetectorState();
  const out: number[] = [];
  for (const p of points) {
    const v = observe(state, p.value, p.time, zone, SENSITIVITY[s]);
    if (v.opened) out.push(p.time);
  }
  return out;
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

const cases: Case[] = [];
if (!only || only === "synthetic")
  for (const type of anomalyTypes)
    for (let i = 0; i < per; i++) {
      const s = labelledSeries({ type, seed: 1000 * (anomalyTypes.indexOf(type) + 1) + i, start });
      const times = s.points.map((p) => p.time);
      cases.push({
        corpus: "synthetic",
        kind: type,
        series: [s.points],
        times,
        windows: windowsFor(times, s.anomaly ? [s.anomaly] : []),
        zone: "UTC",
      });
    }
if (!only || only === "traits")
  for (const s of traitCorpus(per, start)) {
    const times = s.points.map((p) => p.time);
    cases.push({
      corpus: "traits",
      kind: s.trait,
      series: [s.points],
      times,
      windows: windowsFor(times, s.anomalies),
      zone: "UTC",
    });
  }
if (skabDir && (!only || only === "skab"))
  for (const run of readSkab(skabDir)) {
    cases.push({
      corpus: "skab",
      kind: run.id.split("/")[0] ?? "skab",
      series: Object.values(run.sensors).map((values) =>
        values.map((value, i) => ({ time: run.times[i] ?? 0, value })),
      ),
      times: run.times,
      // SKAB labels whole faults: the fault is the window.
      windows: run.anomalies,
      zone: "UTC",
    });
  }

const pad = (x: string | number, n: number) => String(x).padStart(n);
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
console.log(
  `${"corpus".padEnd(10)}${"kind".padEnd(18)}${pad("sens", 7)}${pad("NAB", 7)}${pad("found", 8)}${pad("alerts", 8)}${pad("false", 7)}${pad("false/1k pts", 14)}`,
);
const t0 = performance.now();
const verbose = args.includes("--verbose");
for (const corpus of [...new Set(cases.map((c) => c.corpus))]) {
  const mine = cases.filter((c) => c.corpus === corpus);
  for (const s of sensitivities) {
    const rows = new Map<
      string,
      { scores: SeriesScore[]; alerts: number; cleanPoints: number; cleanAlerts: number }
    >();
    for (const c of mine) {
      const detections = c.series.flatMap((points) => openings(points, c.zone, s));
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
      if (verbose && s === "medium")
        console.log(`   ${c.kind} tp ${score.tp} fp ${score.fp} fn ${score.fn}`);
    }
    for (const [kind, r] of rows) {
      if (kind === "all" || verbose || args.includes("--kinds")) {
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
if (!skabDir)
  console.log("\n(SKAB not found: pass --skab <folder of its CSV files> to include it)");
console.log(`\n${cases.length} cases in ${f((performance.now() - t0) / 1000)} s`);
