/**
 * Labelled synthetic series for the anomaly detector: a level, a daily cycle
 * and Gaussian noise, with one known anomaly of a given type (or none). Used by
 * the detector's tests and by `npm run bench:anomaly`; seeded, so every run
 * sees the same series.
 */

export const anomalyTypes = ["spike", "shift", "trend", "seasonal", "none"] as const;
export type AnomalyType = (typeof anomalyTypes)[number];

export interface SeriesOptions {
  type: AnomalyType;
  seed: number;
  /** First point's time (ms). */
  start: number;
  /** Points in the series. */
  points?: number;
  /** Minutes between points. */
  everyMinutes?: number;
  level?: number;
  /** Amplitude of the daily cycle. */
  daily?: number;
  /** Standard deviation of the noise. */
  noise?: number;
}

export interface Labelled {
  type: AnomalyType;
  points: { time: number; value: number }[];
  /** The anomaly's first and last time (null for a control series). */
  anomaly: { from: number; to: number } | null;
}

/** mulberry32: a small, fast, seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

const HOUR = 3_600_000;

export function labelledSeries(o: SeriesOptions): Labelled {
  const rand = random(o.seed);
  const noise = gaussian(rand);
  const n = o.points ?? 14 * 24 * 6;
  const step = (o.everyMinutes ?? 10) * 60_000;
  const level = o.level ?? 20;
  const daily = o.daily ?? 4;
  const sd = o.noise ?? 0.5;
  // The anomaly starts somewhere in the last 40% of the series, after a full week.
  const at = Math.floor(n * (0.6 + 0.3 * rand()));
  const times = Array.from({ length: n }, (_, i) => o.start + i * step);
  const cycle = (t: number) => daily * Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR));
  const values = times.map((t) => level + cycle(t) + sd * noise());
  let anomaly: Labelled["anomaly"] = null;
  const sign = rand() < 0.5 ? -1 : 1;
  switch (o.type) {
    case "spike": {
      values[at] = (values[at] ?? 0) + sign * sd * (8 + 4 * rand());
      anomaly = { from: times[at] ?? 0, to: times[at] ?? 0 };
      break;
    }
    case "shift": {
      // A level shift of 3-5 noise deviations lasting six hours.
      const size = sign * sd * (3 + 2 * rand());
      const last = Math.min(n - 1, at + Math.round((6 * HOUR) / step));
      for (let i = at; i <= last; i++) values[i] = (values[i] ?? 0) + size;
      anomaly = { from: times[at] ?? 0, to: times[last] ?? 0 };
      break;
    }
    case "trend": {
      // A drift that reaches six noise deviations over twelve hours.
      const span = Math.round((12 * HOUR) / step);
      const last = Math.min(n - 1, at + span);
      for (let i = at; i <= last; i++)
        values[i] = (values[i] ?? 0) + (sign * 6 * sd * (i - at)) / span;
      anomaly = { from: times[at] ?? 0, to: times[last] ?? 0 };
      break;
    }
    case "seasonal": {
      // For one day the daily cycle is inverted (e.g. a heater running by night).
      const last = Math.min(n - 1, at + Math.round((24 * HOUR) / step));
      for (let i = at; i <= last; i++) values[i] = (values[i] ?? 0) - 2 * cycle(times[i] ?? 0);
      anomaly = { from: times[at] ?? 0, to: times[last] ?? 0 };
      break;
    }
    case "none":
      break;
  }
  return {
    type: o.type,
    points: times.map((time, i) => ({ time, value: Math.round((values[i] ?? 0) * 1000) / 1000 })),
    anomaly,
  };
}
