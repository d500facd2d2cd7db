/** What the anomaly detector (anomaly.ts) keeps per series, stored as JSON: O(1) whatever the history. */

/** The day is learnt in half-hour slots: steps on the hour or half hour (opening times, shifts, schedules) stay sharp. */
export const SLOTS = 48;

export interface DetectorState {
  v: 2;
  /** Points seen. */
  n: number;
  first: number;
  last: number;
  level: number;
  /** Mean absolute residual. */
  spread: number;
  /** Time-of-day offsets (half-hour slots) learnt on working days (Monday to Friday), and what weekends add to them. */
  hour: number[];
  hourN: number[];
  weekend: number[];
  weekendN: number[];
  /** Short running mean of standardised residuals. */
  short: number;
  /** Largest |z| and |short| of ordinary points lately: the bar's base. */
  peak: number;
  shortPeak: number;
  /** The same over the current block of points, taken into the bar only when the block ends ordinary. */
  blockPeak: number;
  blockShortPeak: number;
  block: number;
  /** The previous value, how many points in a row have repeated it, the longest such run that ended, and how many times the value changed. */
  prev: number;
  still: number;
  stillPeak: number;
  changes: number;
  /** Whether an anomaly episode is open, how long it has lasted, and the calm points since its last unusual one. */
  open: boolean;
  run: number;
  calm: number;
  /** Points of cool-down left. */
  cool: number;
}

export function newDetectorState(): DetectorState {
  return {
    v: 2,
    n: 0,
    first: 0,
    last: 0,
    level: 0,
    spread: 0,
    hour: new Array(SLOTS).fill(0),
    hourN: new Array(SLOTS).fill(0),
    weekend: new Array(SLOTS).fill(0),
    weekendN: new Array(SLOTS).fill(0),
    short: 0,
    peak: 0,
    shortPeak: 0,
    blockPeak: 0,
    blockShortPeak: 0,
    block: 0,
    prev: 0,
    still: 0,
    stillPeak: 0,
    changes: 0,
    open: false,
    run: 0,
    calm: 0,
    cool: 0,
  };
}

/** A stored state, or a fresh one when it was written by an older detector. */
export function loadDetectorState(json: string | undefined): DetectorState {
  if (!json) return newDetectorState();
  const state = JSON.parse(json) as Partial<DetectorState>;
  return state.v === 2 ? (state as DetectorState) : newDetectorState();
}

/** Ends an open episode without a verdict (a replay stopped in one); returns whether anything changed. */
export function closeEpisode(state: DetectorState): boolean {
  if (!state.open && state.cool === 0) return false;
  state.open = false;
  state.run = 0;
  state.calm = 0;
  state.cool = 0;
  return true;
}
