import { localSlot } from "./calendar";
import type { DetectorState } from "./detector-state";
import { learn, seasonalOf } from "./seasonal-model";

/**
 * A streaming anomaly detector for one numeric series: O(1) state, event time.
 *
 * The expected value of a point is a level plus a time-of-day offset (in
 * half-hour slots, learnt apart for working days and weekends), learnt as the
 * points arrive (additive Holt-Winters without trend). Residuals are measured
 * in robust spreads (z).
 *
 * What counts as unusual is learnt from the series itself, not from a normal
 * distribution it rarely follows: the detector keeps the largest residual an
 * ordinary point has had lately (decaying slowly), and a point is a *spike*
 * only when it goes clearly past it. A *shift* is the same test on a short
 * running mean of the residuals: a run of moderate deviations beyond any run
 * seen lately. So a CPU series full of ordinary bursts, a square wave whose
 * edges the season cannot follow exactly, or counts that are mostly zero set
 * their own bar, while a clean or flat series keeps a low one.
 *
 * One anomaly episode is one alert: it opens on the first unusual point, stays
 * open until the series has been ordinary for a while, and is followed by a
 * cool-down in which nothing new opens. A lasting change of level is accepted
 * as the new normal after a while, which closes the episode.
 *
 * The state depends only on the values and event times in the order they
 * arrive, so replaying history gives the same verdicts as live data did.
 */

export type Sensitivity = "low" | "medium" | "high";
export type Direction = "up" | "down" | "both";

export interface DetectorSettings {
  /** How far past the largest recent ordinary deviation a point must go (a factor). */
  margin: number;
  /** Standardised residual below which a point is never a spike. */
  spikeZ: number;
  /** Short mean of standardised residuals below which there is never a shift. */
  shiftZ: number;
  /** Which deviations count. */
  direction: Direction;
  /** Deviations from the expected value smaller than this (in the field's unit) never count. */
  minDeviation: number;
  /** Deviations smaller than this fraction of the expected value never count. */
  minRatio: number;
}

export const SENSITIVITY: Record<Sensitivity, DetectorSettings> = {
  low: { margin: 1.5, spikeZ: 6, shiftZ: 3, direction: "both", minDeviation: 0, minRatio: 0 },
  medium: {
    margin: 1.15,
    spikeZ: 4.5,
    shiftZ: 2.25,
    direction: "both",
    minDeviation: 0,
    minRatio: 0,
  },
  high: { margin: 1.05, spikeZ: 4, shiftZ: 2, direction: "both", minDeviation: 0, minRatio: 0 },
};

/** Points the detector learns from before it may flag anything. */
export const WARM_UP_POINTS = 60;
/** Ordinary points in a row before an open episode is over. */
export const CALM_POINTS = 6;
/** Points after an episode in which no new one opens. */
export const COOL_DOWN_POINTS = 24;

/** Points after which a lasting change of level is taken as the new normal. */
export const ADOPT_POINTS = 48;

/** A moving series repeating one value this many times, at least, is stuck. */
const STILL_POINTS = 12;
/** The short mean of residuals covers about this many points. */
const SHORT_RATE = 1 / 8;
/** One point moves the short mean by at most this many spreads, or lately's peak if larger. */
const SHORT_CAP = 4;
/** The bar learns from blocks of this many points. */
const BLOCK_POINTS = 24;
/** Lately's largest deviations fade over about this many points. */
const PEAK_MEMORY = 5_000;
/** The bar starts this much higher right after warm-up and comes down over PEAK_SETTLE points. */
const EARLY_BOOST = 1;
const PEAK_SETTLE = 500;
/** Mean absolute deviation → standard deviation for normal noise. */
const MAD_TO_SD = 1.2533;

export interface Verdict {
  /** Still learning: nothing is judged. */
  warmingUp: boolean;
  /** This point is anomalous (a spike, or part of a shift). */
  anomalous: boolean;
  /** This point opened an anomaly episode. */
  opened: boolean;
  /** The series is back to normal (or settled at a new normal) after an anomaly. */
  recovered: boolean;
  /** A spike, a shift, or a series that stopped moving (a stuck sensor). */
  kind: "spike" | "shift" | "flat" | null;
  value: number;
  expected: number;
  /** Standard deviations from the expected value. */
  z: number;
  /** The band of normal values around the expected one. */
  low: number;
  high: number;
}

const leans = (direction: Direction, x: number) =>
  direction === "both" ? x !== 0 : direction === "up" ? x > 0 : x < 0;

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
  const expected = state.level + seasonalOf(state, hour, day);
  const residual = value - expected;
  // A floor keeps a perfectly flat series from dividing by zero: 0.1% of the level, or 1e-9.
  const sd = Math.max(state.spread * MAD_TO_SD, Math.abs(state.level) * 1e-3, 1e-9);
  const z = residual / sd;
  const warmingUp = state.n < WARM_UP_POINTS;
  if (state.n > 0 && value === state.prev) state.still += 1;
  else {
    if (state.n > 0) state.changes += 1;
    state.stillPeak = Math.max(state.stillPeak, state.still);
    state.still = 0;
  }
  state.prev = value;
  // One point moves the short mean by no more than lately's largest ordinary deviation.
  const cap = Math.max(SHORT_CAP, state.peak);
  state.short += SHORT_RATE * (Math.max(-cap, Math.min(cap, z)) - state.short);

  let kind: Verdict["kind"] = null;
  if (!warmingUp) {
    // Right after warm-up the bar is higher: lately's peak rests on few points.
    const early = 1 + EARLY_BOOST * Math.max(0, 1 - (state.n - WARM_UP_POINTS) / PEAK_SETTLE);
    const bar = settings.margin * early;
    const large = (deviation: number) =>
      leans(settings.direction, deviation) &&
      Math.abs(deviation) > settings.minDeviation &&
      Math.abs(deviation) > settings.minRatio * Math.abs(expected);
    if (Math.abs(z) > settings.spikeZ && Math.abs(z) > bar * state.peak && large(residual))
      kind = "spike";
    else if (
      Math.abs(state.short) > settings.shiftZ &&
      Math.abs(state.short) > bar * state.shortPeak &&
      // The point itself leans the shift's way: a normal point while the mean drains is normal.
      Math.sign(z) === Math.sign(state.short) &&
      Math.abs(z) > settings.shiftZ / 2 &&
      large(state.short * sd)
    )
      kind = "shift";
    // A series that always moved and now repeats one value far longer than it ever did.
    else if (
      state.changes >= WARM_UP_POINTS / 2 &&
      state.still >= STILL_POINTS &&
      state.still > 2 * settings.margin * state.stillPeak
    )
      kind = "flat";
  }

  const anomalous = kind !== null;
  const wasOpen = state.open;
  let opened = false;
  let recovered = false;
  if (state.open) {
    state.run += 1;
    state.calm = anomalous ? 0 : state.calm + 1;
    if (state.run >= ADOPT_POINTS && Math.abs(state.short) > settings.shiftZ) {
      // The change has lasted: take its level as the new normal.
      state.level += state.short * sd;
      state.short = 0;
    }
    if (
      state.calm >= CALM_POINTS &&
      Math.abs(state.short) <= Math.max(settings.shiftZ, state.shortPeak)
    ) {
      state.open = false;
      state.cool = COOL_DOWN_POINTS;
      recovered = true;
    }
  } else if (anomalous && state.cool === 0) {
    state.open = true;
    state.run = 0;
    state.calm = 0;
    opened = true;
  } else if (state.cool > 0) state.cool -= 1;

  // The bar follows ordinary points a block at a time: a block's largest
  // deviations count only once the block is over and nothing in it opened an
  // episode, so a change that builds up slowly cannot raise the bar ahead of
  // itself. What recurs becomes normal; a long episode teaches nothing.
  const disturbed = anomalous || wasOpen || state.open;
  if (anomalous && !wasOpen) {
    // An unusual point outside an episode raises the bar at once (at most twofold, or to twice the smallest bar): a second one like it is no news.
    state.peak = Math.max(
      state.peak,
      Math.min(Math.abs(z), 2 * Math.max(state.peak, settings.spikeZ)),
    );
    state.shortPeak = Math.max(
      state.shortPeak,
      Math.min(Math.abs(state.short), 2 * Math.max(state.shortPeak, settings.shiftZ)),
    );
  }
  if (state.n >= WARM_UP_POINTS / 2) {
    if (disturbed) state.block = -1;
    else if (state.block >= 0) {
      state.blockPeak = Math.max(state.blockPeak, Math.abs(z));
      state.blockShortPeak = Math.max(state.blockShortPeak, Math.abs(state.short));
    }
    if (++state.block >= BLOCK_POINTS || (warmingUp && state.block >= 0)) {
      const fade = Math.exp(-BLOCK_POINTS / PEAK_MEMORY);
      if (state.block > 0) {
        state.peak = Math.max(state.blockPeak, state.peak * fade);
        state.shortPeak = Math.max(state.blockShortPeak, state.shortPeak * fade);
      }
      state.block = 0;
      state.blockPeak = 0;
      state.blockShortPeak = 0;
    }
  }
  learn(state, value, residual, sd, time, hour, day, disturbed);
  state.n += 1;
  state.last = Math.max(state.last, time);
  const band = Math.max(settings.spikeZ, settings.margin * state.peak) * sd;
  return {
    warmingUp,
    anomalous: anomalous && state.open,
    opened,
    recovered,
    kind,
    value,
    expected,
    z,
    low: expected - band,
    high: expected + band,
  };
}
