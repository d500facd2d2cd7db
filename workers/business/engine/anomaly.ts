import { offsetAt } from "./calendar";

/**
 * A streaming anomaly detector for one numeric series: O(1) state, event time.
 *
 * The expected value of a point is a level plus an hour-of-day (interpolated
 * between hourly offsets, so a smooth daily cycle is followed smoothly) and a
 * day-of-week offset (additive Holt-Winters without trend). The spread is an
 * exponentially weighted mean absolute residual. A point is a *spike* when its
 * standardised residual passes the sensitivity's threshold; a run of smaller
 * residuals on one side is a *shift*, found by a two-sided CUSUM. Anomalous
 * points teach the model only a clipped residual, so a spike does not bend the
 * baseline, while a lasting shift is slowly learnt as the new normal.
 *
 * The state depends only on the values and event times in the order they
 * arrive, so replaying history gives the same verdicts as live data did.
 */

export type Sensitivity = "low" | "medium" | "high";

export interface DetectorSettings {
  /** |z| above this is a spike. */
  spikeZ: number;
  /** CUSUM slack, in spreads. */
  slack: number;
  /** CUSUM decision level, in spreads. */
  limit: number;
}

export const SENSITIVITY: Record<Sensitivity, DetectorSettings> = {
  low: { spikeZ: 6, slack: 1, limit: 10 },
  medium: { spikeZ: 4.5, slack: 0.75, limit: 8 },
  high: { spikeZ: 4, slack: 0.5, limit: 8 },
};

/** Points and time the detector learns from before it may flag anything. */
export const WARM_UP_POINTS = 30;
export const WARM_UP_MS = 72 * 3_600_000;
/** Consecutive normal points before an open anomaly counts as over. */
export const CALM_POINTS = 3;

/** The level forgets with this time constant: slow next to the daily cycle, so the cycle goes to the season. */
const LEVEL_MEMORY_MS = 2 * 86_400_000;
const SEASON_RATE = 0.05;
const SPREAD_RATE = 0.03;
/** Residuals taught to the model are clipped to this many spreads. */
const CLIP = 2;
/** How far past the CUSUM slack a point must lean to count as part of a shift, in spreads. */
const LEAN = 0.5;
/** The most one point adds to the CUSUM, in spreads. */
const SHIFT_CAP = 3;
/** Mean absolute deviation → standard deviation for normal noise. */
const MAD_TO_SD = 1.2533;

export interface DetectorState {
  /** Points seen. */
  n: number;
  first: number;
  last: number;
  level: number;
  /** Mean absolute residual. */
  spread: number;
  hour: number[];
  hourN: number[];
  day: number[];
  dayN: number[];
  /** CUSUM of positive and negative standardised residuals. */
  up: number;
  down: number;
  /** Normal points in a row since the last anomalous one. */
  calm: number;
  /** Whether the detector currently reports an anomaly. */
  open: boolean;
}

export interface Verdict {
  /** Still learning: nothing is judged. */
  warmingUp: boolean;
  /** This point is anomalous (a spike, or part of a shift). */
  anomalous: boolean;
  /** The series is back to normal after an anomaly. */
  recovered: boolean;
  kind: "spike" | "shift" | null;
  value: number;
  expected: number;
  /** Standard deviations from the expected value. */
  z: number;
  /** The band of normal values around the expected one. */
  low: number;
  high: number;
}

export function newDetectorState(): DetectorState {
  return {
    n: 0,
    first: 0,
    last: 0,
    level: 0,
    spread: 0,
    hour: new Array(24).fill(0),
    hourN: new Array(24).fill(0),
    day: new Array(7).fill(0),
    dayN: new Array(7).fill(0),
    up: 0,
    down: 0,
    calm: 0,
    open: false,
  };
}

const offsets = new Map<string, number>();

/** Local hour (fractional), weekday (0 = Monday) and date (days since 1970) of an instant; the zone's offset is cached per quarter hour. */
export function localSlot(
  ms: number,
  timeZone: string,
): { hour: number; day: number; date: number } {
  const slot = `${timeZone}\n${Math.floor(ms / 900_000)}`;
  let offset = offsets.get(slot);
  if (offset === undefined) {
    offset = offsetAt(ms, timeZone);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(slot, offset);
  }
  const local = ms + offset;
  const dayMs = 86_400_000;
  const days = Math.floor(local / dayMs);
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return { hour: (local - days * dayMs) / 3_600_000, day: (((days + 3) % 7) + 7) % 7, date: days };
}

/** The two hourly slots around a fractional hour (slot i centred on i:30) and the weight of the second. */
function hourSlots(hour: number): [number, number, number] {
  const p = hour - 0.5;
  const base = Math.floor(p);
  return [(base + 24) % 24, (base + 25) % 24, p - base];
}

/** Feeds one point to the detector; mutates `state` and returns its verdict on the point. */
export function observe(
  state: DetectorState,
  value: number,
  time: number,
  timeZone: string,
  settings: DetectorSettings,
): Verdict {
  const { hour, day } = localSlot(time, timeZone);
  if (state.n === 0) {
    state.first = time;
    state.level = value;
  }
  const seasonal = seasonalOf(state, hour, day);
  const expected = state.level + seasonal;
  const residual = value - expected;
  // A floor keeps a perfectly flat series from dividing by zero: 0.1% of the level, or 1e-9.
  const sd = Math.max(state.spread * MAD_TO_SD, Math.abs(state.level) * 1e-3, 1e-9);
  const z = residual / sd;
  const warmingUp = state.n < WARM_UP_POINTS || time - state.first < WARM_UP_MS;

  let kind: Verdict["kind"] = null;
  if (!warmingUp) {
    // A shift is a run of moderate residuals: one spike must not look like one.
    const capped = Math.max(-SHIFT_CAP, Math.min(SHIFT_CAP, z));
    const cap = 2 * settings.limit;
    state.up = Math.min(cap, Math.max(0, state.up + capped - settings.slack));
    state.down = Math.min(cap, Math.max(0, state.down - capped - settings.slack));
    if (Math.abs(z) > settings.spikeZ) kind = "spike";
    // Part of a shift: the sum is over the limit and this point clearly leans the
    // same way (points that do not are normal while the sum drains).
    else if (
      (state.up > settings.limit && z > settings.slack + LEAN) ||
      (state.down > settings.limit && z < -(settings.slack + LEAN))
    )
      kind = "shift";
  }
  const anomalous = kind !== null;
  const wasOpen = state.open;
  let recovered = false;
  if (anomalous) {
    state.open = true;
    state.calm = 0;
  } else if (state.open) {
    state.calm += 1;
    // Over when points are normal again and the CUSUM has drained.
    const drained = Math.max(state.up, state.down) < settings.limit / 2;
    if (state.calm >= CALM_POINTS && drained) {
      state.open = false;
      recovered = wasOpen;
    }
  }

  // The season learns only from ordinary points: a broken cycle must not become the cycle.
  const disturbed = wasOpen || state.open || Math.abs(z) > 3;
  learn(state, value, residual, sd, time, hour, day, warmingUp, disturbed);
  state.n += 1;
  state.last = Math.max(state.last, time);
  const band = settings.spikeZ * sd;
  return {
    warmingUp,
    anomalous,
    recovered,
    kind,
    value,
    expected,
    z,
    low: expected - band,
    high: expected + band,
  };
}

function seasonalOf(state: DetectorState, hour: number, day: number): number {
  const [h0, h1, w] = hourSlots(hour);
  return (1 - w) * (state.hour[h0] ?? 0) + w * (state.hour[h1] ?? 0) + (state.day[day] ?? 0);
}

function learn(
  state: DetectorState,
  value: number,
  residual: number,
  sd: number,
  time: number,
  hour: number,
  day: number,
  warmingUp: boolean,
  disturbed: boolean,
) {
  // Early on, running means; later, exponential forgetting.
  const n = state.n + 1;
  const clip = (x: number) => (warmingUp ? x : Math.max(-CLIP * sd, Math.min(CLIP * sd, x)));
  const elapsed = Math.max(0, time - state.last);
  const levelRate = Math.max(1 / n, 1 - Math.exp(-elapsed / LEVEL_MEMORY_MS));
  const level = state.level + levelRate * clip(residual);
  // What is left after the new level is the season's to learn.
  const left = clip(value - level - seasonalOf(state, hour, day));
  state.level = level;
  // During an anomaly the season learns nothing: a broken cycle must not become the cycle.
  if (n >= 3 && !disturbed) {
    // A normalised step over the two hourly offsets the point lies between:
    // the prediction at this hour moves by `rate` of what is left.
    const [h0, h1, w] = hourSlots(hour);
    state.hourN[h0] = Math.min((state.hourN[h0] ?? 0) + (1 - w), 1000);
    state.hourN[h1] = Math.min((state.hourN[h1] ?? 0) + w, 1000);
    const seen = (1 - w) * (state.hourN[h0] ?? 0) + w * (state.hourN[h1] ?? 0);
    const hourRate = Math.max(1 / Math.max(seen, 1), SEASON_RATE) / ((1 - w) ** 2 + w ** 2);
    state.hour[h0] = (state.hour[h0] ?? 0) + hourRate * (1 - w) * left;
    state.hour[h1] = (state.hour[h1] ?? 0) + hourRate * w * left;
    // The weekday offsets start once the daily cycle is known, and learn slowly.
    if (!warmingUp) {
      state.dayN[day] = Math.min((state.dayN[day] ?? 0) + 1, 1000);
      state.day[day] = (state.day[day] ?? 0) + (SEASON_RATE / 4) * left;
    }
    // Keep the offsets centred, so the level stays the series' level.
    center(state, state.hour, state.hourN);
    center(state, state.day, state.dayN);
  }
  // The spread learns slowly during an anomaly, or it would widen until the anomaly looked normal.
  const spreadRate = Math.max(1 / n, SPREAD_RATE) / (disturbed ? 10 : 1);
  const absolute = Math.min(Math.abs(residual), warmingUp ? Infinity : 3 * sd);
  state.spread += spreadRate * (absolute - state.spread);
}

function center(state: DetectorState, offsets: number[], counts: number[]) {
  let sum = 0;
  let k = 0;
  for (let i = 0; i < offsets.length; i++) {
    if ((counts[i] ?? 0) === 0) continue;
    sum += offsets[i] ?? 0;
    k++;
  }
  if (k < offsets.length) return; // Not every slot seen yet: nothing to centre on.
  const mean = sum / k;
  if (mean === 0) return;
  for (let i = 0; i < offsets.length; i++) offsets[i] = (offsets[i] ?? 0) - mean;
  state.level += mean;
}
