/**
 * The Numenta Anomaly Benchmark's scoring, written from its published
 * description (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection
 * Algorithms"), standard application profile:
 *
 * - each labelled anomaly has a window; the earliest detection inside a window
 *   earns a true-positive score that falls along a scaled sigmoid from ~1 at
 *   the window's start to 0 at its end; later detections in it count nothing;
 * - a window with no detection costs 1 (false-negative weight);
 * - a detection outside every window costs 0.11 (false-positive weight): in
 *   full before the first window, and after a window along the same sigmoid,
 *   so a detection just after a window costs little and a distant one 0.11;
 * - detections in the probationary period (the first 15% of the series, at
 *   most 750 points) are ignored;
 * - a corpus's raw score is normalised so that a detector that never alerts
 *   scores 0 and a perfect one 100.
 */

export interface Window {
  from: number;
  to: number;
}

export interface ScoredSeries {
  /** Every point's time, in order. */
  times: number[];
  windows: Window[];
  /** Times at which the detector alerted. */
  detections: number[];
}

export const STANDARD = { tp: 1, fp: 0.11, fn: 1 };

/** 2 / (1 + e^(5y)) − 1: 0.987 at y = −1, 0 at y = 0, → −1 as y grows. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

export interface SeriesScore {
  raw: number;
  /** Raw score of a detector that never alerts (−fn per window). */
  none: number;
  /** Raw score of a perfect detector (tp per window). */
  perfect: number;
  tp: number;
  fp: number;
  fn: number;
}

export function scoreSeries(s: ScoredSeries, weights = STANDARD): SeriesScore {
  const n = s.times.length;
  const probation = Math.min(Math.floor(0.15 * n), 750);
  const probationEnd = s.times[probation] ?? Number.POSITIVE_INFINITY;
  const windows = [...s.windows].sort((a, b) => a.from - b.from);
  const indexOf = (t: number) => {
    // First point at or after t.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((s.times[mid] ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const maxTp = scaledSigmoid(-1);
  const hit = new Set<number>();
  let raw = 0;
  let fp = 0;
  for (const t of [...s.detections].sort((a, b) => a - b)) {
    if (t < probationEnd) continue;
    const w = windows.findIndex((x) => t >= x.from && t <= x.to);
    if (w >= 0) {
      if (hit.has(w)) continue;
      hit.add(w);
      const win = windows[w] as Window;
      const width = Math.max(1, indexOf(win.to) - indexOf(win.from) + 1);
      const position = -(indexOf(win.to) - indexOf(t) + 1) / width;
      raw += (weights.tp * scaledSigmoid(position)) / maxTp;
      continue;
    }
    fp++;
    const before = windows.filter((x) => x.to < t).at(-1);
    if (!before) {
      raw -= weights.fp;
      continue;
    }
    const width = Math.max(2, indexOf(before.to) - indexOf(before.from) + 1);
    const position = Math.abs(indexOf(t) - indexOf(before.to)) / (width - 1);
    raw += weights.fp * scaledSigmoid(position);
  }
  const fn = windows.length - hit.size;
  raw -= weights.fn * fn;
  return {
    raw,
    none: -weights.fn * windows.length,
    perfect: weights.tp * windows.length,
    tp: hit.size,
    fp,
    fn,
  };
}

/** A corpus's normalised score: 0 is never alerting, 100 is perfect. */
export function normalised(scores: SeriesScore[]): number {
  const sum = (f: (x: SeriesScore) => number) => scores.reduce((a, x) => a + f(x), 0);
  const none = sum((x) => x.none);
  const perfect = sum((x) => x.perfect);
  if (perfect === none) return 0;
  return (100 * (sum((x) => x.raw) - none)) / (perfect - none);
}

/**
 * NAB's windows: 10% of the series' length shared equally among its labelled
 * anomalies, each window centred on its anomaly (for labels given as points).
 */
export function windowsAround(times: number[], anomalies: number[]): Window[] {
  if (anomalies.length === 0) return [];
  const width = Math.max(1, Math.floor((0.1 * times.length) / anomalies.length));
  return anomalies.map((t) => {
    const i = times.findIndex((x) => x >= t);
    const from = Math.max(0, i - Math.floor(width / 2));
    const to = Math.min(times.length - 1, i + Math.ceil(width / 2));
    return { from: times[from] ?? t, to: times[to] ?? t };
  });
}
