import { medianAbsoluteDeviation, quantileSorted } from "simple-statistics";

/** Quantiles of a sample, sorted once. */
export class Sample {
  readonly sorted: number[];

  constructor(values: Iterable<number>) {
    this.sorted = Array.from(Float64Array.from(values).sort());
  }

  get size(): number {
    return this.sorted.length;
  }

  q(p: number): number {
    return quantileSorted(this.sorted, p);
  }

  get median(): number {
    return this.q(0.5);
  }

  /** Median absolute deviation, scaled to a standard deviation for normal data. */
  get spread(): number {
    return this.size ? 1.4826 * medianAbsoluteDeviation(this.sorted) : 0;
  }
}

/** Durations a person would pick: 20 min rather than 19.55 min. Always rounds up. */
export function niceDuration(ms: number): number {
  const MIN = 60_000;
  const steps = [
    [60 * MIN, 5 * MIN],
    [6 * 60 * MIN, 15 * MIN],
    [48 * 60 * MIN, 60 * MIN],
  ] as const;
  if (ms <= MIN) return Math.max(5_000, Math.ceil(ms / 5_000) * 5_000);
  if (ms < 5 * MIN) return Math.ceil(ms / MIN) * MIN;
  for (const [below, step] of steps) if (ms <= below) return Math.ceil(ms / step) * step;
  return Math.ceil(ms / (24 * 60 * MIN)) * 24 * 60 * MIN;
}

/** `20m`, `2h`, `45s`: the rule syntax for a duration. */
export function durationText(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}

/** A number rounded to two significant digits, away from the data (up for an upper bound). */
export function niceBound(x: number, direction: "up" | "down"): number {
  if (x === 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 1);
  const scaled = x / magnitude;
  const rounded = direction === "up" ? Math.ceil(scaled) : Math.floor(scaled);
  return Number((rounded * magnitude).toPrecision(12));
}

/** `0.0123` → `1.2%`. */
export function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 ? Math.round(p) : Number(p.toFixed(1))}%`;
}
