/**
 * Labelled synthetic series with the traits real series have and clean
 * sine-plus-noise series lack: square-wave working days, flat lines, level
 * steps that become the new normal, bursts, gaps, irregular sampling, trends,
 * heavy-tailed noise and counts. Each series has at most one labelled anomaly;
 * the rest are controls on which every alert is false. Seeded, so every run
 * sees the same corpus.
 */
import { gaussian, random } from "./series";

export interface TraitSeries {
  id: string;
  trait: string;
  points: { time: number; value: number }[];
  /** Labelled anomalies: first and last time of each. */
  anomalies: { from: number; to: number }[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Ctx {
  rand: () => number;
  noise: () => number;
  start: number;
}

/** Local hour and weekday (0 = Monday) in UTC, which is the business zone the bench uses for these. */
function clock(t: number) {
  const day = Math.floor(t / DAY);
  return { hour: (t - day * DAY) / HOUR, weekday: (((day + 3) % 7) + 7) % 7 };
}

type Maker = (c: Ctx) => { times: number[]; values: number[]; anomalies: [number, number][] };

const regular = (c: Ctx, n: number, step: number) =>
  Array.from({ length: n }, (_, i) => c.start + i * step);

/** Index in the last 40% of the series (after the first two weeks of most series). */
const late = (c: Ctx, n: number) => Math.floor(n * (0.6 + 0.3 * c.rand()));

const makers: Record<string, Maker> = {
  // Office power: high 08–18 on weekdays, low otherwise; a weekday where the load never comes up.
  "square-wave": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const on = (t: number) => {
      const { hour, weekday } = clock(t);
      return weekday < 5 && hour >= 8 && hour < 18;
    };
    const values = times.map((t) => (on(t) ? 120 : 20) + 3 * c.noise());
    // The load fails to come up on a working morning late in the series.
    let a = late(c, times.length);
    while (!on(times[a] ?? 0)) a = (a + 1) % times.length;
    if (a < times.length / 2) a = times.findLastIndex((t, i) => on(t) && !on(times[i - 1] ?? 0));
    const b = Math.min(times.length - 1, a + 60);
    for (let i = a; i <= b; i++) if (on(times[i] ?? 0)) values[i] = 20 + 3 * c.noise();
    return { times, values, anomalies: [[a, b]] };
  },
  "square-wave-clean": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map((t) => {
      const { hour, weekday } = clock(t);
      return (weekday < 5 && hour >= 8 && hour < 18 ? 120 : 20) + 3 * c.noise();
    });
    return { times, values, anomalies: [] };
  },
  // A perfectly periodic, noise-free series (a scheduled batch size): nothing is ever unusual.
  periodic: (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map((t) => 50 + 40 * Math.sin((2 * Math.PI * (t % DAY)) / DAY));
    return { times, values: values.map((v) => Math.round(v)), anomalies: [] };
  },
  // A flat line with the odd quantisation tick; then it jumps and stays there.
  "flat-step": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const a = late(c, times.length);
    const values = times.map((_, i) => (i < a ? 10 : 14) + (c.rand() < 0.01 ? 1 : 0));
    return { times, values, anomalies: [[a, a]] };
  },
  "flat-clean": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    return { times, values: times.map(() => 100), anomalies: [] };
  },
  // A noisy sensor that gets stuck at one value (a dead sensor).
  "stuck-sensor": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map((t) => 20 + 2 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + c.noise());
    const a = late(c, times.length);
    const b = Math.min(times.length - 1, a + 288);
    for (let i = a + 1; i <= b; i++) values[i] = values[a] ?? 0;
    return { times, values, anomalies: [[a, b]] };
  },
  // Level steps that become the new normal (a config change): only the first is labelled, as a user would.
  steps: (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const a = late(c, times.length);
    const values = times.map((_, i) => (i < a ? 40 : 70) + 2 * c.noise());
    return { times, values, anomalies: [[a, a]] };
  },
  // Request counts (Poisson) with short legitimate bursts every day, and one outage burst much larger.
  bursts: (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const poisson = (lambda: number) => {
      // Normal approximation is fine above ~20.
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * c.noise()));
    };
    const values = times.map((t) => {
      const { hour } = clock(t);
      const base = 60 + 40 * Math.sin((2 * Math.PI * (hour - 6)) / 24);
      return poisson(hour >= 12 && hour < 12.25 ? base * 2 : base);
    });
    const a = late(c, times.length);
    const b = Math.min(times.length - 1, a + 6);
    for (let i = a; i <= b; i++) values[i] = (values[i] ?? 0) * 6;
    return { times, values, anomalies: [[a, b]] };
  },
  // CPU-like heavy-tailed noise: frequent ordinary spikes; the anomaly is a sustained climb.
  "heavy-tail": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map(() => {
      const spike = c.rand() < 0.03 ? 20 * c.rand() : 0;
      return Math.max(0, 15 + 2 * c.noise() + spike);
    });
    const a = late(c, times.length);
    const b = Math.min(times.length - 1, a + 36);
    for (let i = a; i <= b; i++) values[i] = 70 + 3 * c.noise();
    return { times, values, anomalies: [[a, b]] };
  },
  "heavy-tail-clean": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map(() => {
      const spike = c.rand() < 0.03 ? 20 * c.rand() : 0;
      return Math.max(0, 15 + 2 * c.noise() + spike);
    });
    return { times, values, anomalies: [] };
  },
  // Gaps of hours to a day with nothing unusual around them; the anomaly is a drop after a gap.
  gaps: (c) => {
    const all = regular(c, 4032, 5 * MINUTE);
    const keep = all.map(() => true);
    for (let g = 0; g < 5; g++) {
      const at = Math.floor(c.rand() * all.length * 0.9);
      const len = Math.floor(12 + c.rand() * 250);
      for (let i = at; i < Math.min(all.length, at + len); i++) keep[i] = false;
    }
    const a = late(c, all.length);
    for (let i = a - 40; i < a; i++) keep[i] = false;
    const times: number[] = [];
    const values: number[] = [];
    let from = -1;
    all.forEach((t, i) => {
      if (!keep[i]) return;
      if (i >= a && from < 0) from = times.length;
      times.push(t);
      const base = 30 + 5 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + c.noise();
      values.push(i >= a && i < a + 48 ? base - 15 : base);
    });
    const to = times.findIndex((t) => t >= (all[a + 47] ?? 0));
    return { times, values, anomalies: [[from, Math.max(from, to)]] };
  },
  // A thermostat reporting on change: irregular intervals from seconds to an hour; it overheats once.
  irregular: (c) => {
    const times: number[] = [];
    const values: number[] = [];
    let t = c.start;
    while (t < c.start + 14 * DAY) {
      times.push(t);
      t += Math.round(-Math.log(Math.max(c.rand(), 1e-9)) * 8 * MINUTE) + 1000;
    }
    const a = late(c, times.length);
    const end = (times[a] ?? 0) + 2 * HOUR;
    let b = a;
    times.forEach((x, i) => {
      const hot = i >= a && x <= end;
      if (hot) b = i;
      values.push(
        21 + 1.5 * Math.sin((2 * Math.PI * (x % DAY)) / DAY) + 0.3 * c.noise() + (hot ? 6 : 0),
      );
    });
    return { times, values, anomalies: [[a, b]] };
  },
  // A steady growth trend (users signing up) with a daily cycle; the anomaly is a sharp drop.
  trend: (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map(
      (t, i) => 100 + i * 0.05 + 20 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 3 * c.noise(),
    );
    const a = late(c, times.length);
    const b = Math.min(times.length - 1, a + 24);
    for (let i = a; i <= b; i++) values[i] = (values[i] ?? 0) * 0.5;
    return { times, values, anomalies: [[a, b]] };
  },
  "trend-clean": (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map(
      (t, i) => 100 + i * 0.05 + 20 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 3 * c.noise(),
    );
    return { times, values, anomalies: [] };
  },
  // Small integer counts (errors per 5 minutes): mostly 0, sometimes 1–2; the anomaly is an error storm.
  counts: (c) => {
    const times = regular(c, 4032, 5 * MINUTE);
    const values = times.map(() => (c.rand() < 0.1 ? 1 + Math.floor(c.rand() * 2) : 0));
    const a = late(c, times.length);
    const b = Math.min(times.length - 1, a + 5);
    for (let i = a; i <= b; i++) values[i] = 15 + Math.floor(c.rand() * 10);
    return { times, values, anomalies: [[a, b]] };
  },
};

export const traits = Object.keys(makers);

export function traitSeries(trait: string, seed: number, start: number): TraitSeries {
  const rand = random(seed);
  const c: Ctx = { rand, noise: gaussian(rand), start };
  const make = makers[trait];
  if (!make) throw new Error(`unknown trait ${trait}`);
  const { times, values, anomalies } = make(c);
  return {
    id: `${trait}-${seed}`,
    trait,
    points: times.map((time, i) => ({ time, value: Math.round((values[i] ?? 0) * 1000) / 1000 })),
    anomalies: anomalies.map(([a, b]) => ({ from: times[a] ?? 0, to: times[b] ?? 0 })),
  };
}

/** `perTrait` series of every trait. */
export function traitCorpus(perTrait: number, start: number): TraitSeries[] {
  return traits.flatMap((trait, t) =>
    Array.from({ length: perTrait }, (_, i) => traitSeries(trait, 7000 + 100 * t + i, start)),
  );
}
