import type { DetectorState } from "./detector-state";
import { SLOTS } from "./detector-state";

/**
 * The anomaly detector's model of a series' expected value: a level plus a
 * time-of-day offset in half-hour slots, learnt apart for working days and
 * weekends (additive Holt-Winters without trend), and the spread of residuals.
 */

/** The level forgets with this time constant, or over this many points, whichever is faster. */
const LEVEL_MEMORY_MS = 2 * 86_400_000;
const LEVEL_MEMORY_POINTS = 1_000;
const SEASON_RATE = 0.05;
const SPREAD_RATE = 0.01;
/** Residuals taught to the model are clipped to this many spreads. */
const CLIP = 3;

/**
 * The slot a time teaches and whether it is a weekend's: working days teach
 * the daily profile; weekends (once a working day has been seen) teach only
 * what weekends add to it, so a day shape that stops on Saturdays is learnt as such.
 */
function slotFor(state: DetectorState, hour: number, day: number) {
  return { slot: slotOf(hour), weekendDay: day >= 5 && state.hourN.some((x) => x > 0) };
}

/** The slot of a fractional hour. */
function slotOf(hour: number): number {
  return Math.min(SLOTS - 1, Math.floor((hour * SLOTS) / 24));
}

/** The learnt time-of-day offset at a local hour and weekday. */
export function seasonalOf(state: DetectorState, hour: number, day: number): number {
  const slot = slotOf(hour);
  const weekend = day >= 5 ? (state.weekend[slot] ?? 0) : 0;
  return (state.hour[slot] ?? 0) + weekend;
}

/**
 * Teaches the model one point: the level, the time-of-day offsets (not during
 * an anomaly) and the spread of residuals.
 */
export function learn(
  state: DetectorState,
  value: number,
  residual: number,
  sd: number,
  time: number,
  hour: number,
  day: number,
  disturbed: boolean,
) {
  // Early on, running means; later, exponential forgetting.
  const n = state.n + 1;
  // Only an unusual point is clipped: clipping ordinary ones would shrink the
  // spread of sparse or bursty series until every ordinary burst looked huge.
  const clip = (x: number) => (disturbed ? Math.max(-CLIP * sd, Math.min(CLIP * sd, x)) : x);
  const elapsed = Math.max(0, time - state.last);
  const levelRate = Math.max(
    1 / n,
    1 / LEVEL_MEMORY_POINTS,
    1 - Math.exp(-elapsed / LEVEL_MEMORY_MS),
  );
  const level = state.level + (disturbed ? levelRate / 4 : levelRate) * clip(residual);
  // What is left after the new level is the season's to learn.
  const left = clip(value - level - seasonalOf(state, hour, day));
  state.level = level;
  // During an anomaly the season learns nothing: a broken cycle must not become the cycle.
  if (n >= 3 && !disturbed) {
    const { slot, weekendDay } = slotFor(state, hour, day);
    // A normalised step over the two hourly offsets the point lies between:
    // the prediction at this hour moves by `rate` of what is left.
    const [offsets, counts] = weekendDay
      ? [state.weekend, state.weekendN]
      : [state.hour, state.hourN];
    counts[slot] = Math.min((counts[slot] ?? 0) + 1, 1000);
    offsets[slot] = (offsets[slot] ?? 0) + Math.max(1 / (counts[slot] ?? 1), SEASON_RATE) * left;
    // Keep the offsets centred, so the level stays the series' level.
    center(state, state.hour, state.hourN);
  }
  // The spread learns slowly during an anomaly, or it would widen until the anomaly looked normal.
  const spreadRate = Math.max(1 / n, SPREAD_RATE) / (disturbed ? 10 : 1);
  const absolute = Math.abs(clip(residual));
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
