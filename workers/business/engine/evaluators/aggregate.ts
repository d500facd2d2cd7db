import type { JsonObject } from "../../../../schema/contracts/json";
import type { NewEvent } from "../../events";
import type { Period } from "../calendar";
import { periodOf } from "../calendar";
import type { CompiledRule } from "../compile";
import type { EngineCore, Evaluator } from "../core";
import { compare } from "../expressions";
import type { PendingDetails } from "../firing";
import { stateKey } from "../keyed-store";
import type { Acc } from "../state";
import { aggregateText, formatNumber } from "../summary";
import { describeWindow } from "../windows";

type Aggregate = CompiledRule & { kind: "aggregate" };

function windowResult(r: Aggregate, acc: Acc): number | null {
  switch (r.aggregate.fn) {
    case "count":
      return acc.n;
    case "sum":
      return acc.sum;
    case "avg":
      return acc.n ? acc.sum / acc.n : null;
    case "min":
      return acc.min;
    case "max":
      return acc.max;
  }
}

/** Compares the window holding `time` with the threshold; opens or resolves accordingly (also for merged shard partials). */
export function judge(
  e: EngineCore,
  r: Aggregate,
  group: string,
  time: number,
  now: number,
  context: JsonObject,
) {
  if (r.window.kind === "calendar") {
    judgePeriod(e, r, r.window.period as Period, group, time, now, context);
    return;
  }
  const key = stateKey(r.rule.id, group);
  const tz = e.business.timezone;
  const acc = e.windowValue(key, r.window, time);
  const value = windowResult(r, acc);
  if (value !== null && compare(value, r.aggregate.op, r.aggregate.threshold)) {
    e.fire(r, group, now, time, crossedText(r, value, time, now, tz), {
      ...context,
      value,
      window: describeWindow(r.window, time, now, tz),
      events: acc.n,
    });
    e.checkLater(key, r.window, time);
  } else {
    e.clear(r, group, now, () => backText(r, value, time, now, tz));
  }
}

const crossedText = (r: Aggregate, value: number, time: number, now: number, tz: string) =>
  `${aggregateText(r.aggregate)} ${describeWindow(r.window, time, now, tz)} is ${formatNumber(value)} (${r.aggregate.op} ${formatNumber(r.aggregate.threshold)})`;

const backText = (r: Aggregate, value: number | null, time: number, now: number, tz: string) =>
  `${aggregateText(r.aggregate)} ${describeWindow(r.window, time, now, tz)} is back to ${value === null ? "nothing" : formatNumber(value)}`;

/**
 * A calendar window: each period of a group has its own alert, and judging
 * one period never touches another's. So the outcome depends on each period's
 * value, not on the order its events (or a sharded business's merged
 * partials, shards/merge.ts) arrive in (docs/capacity.md):
 *
 * - the period holds the condition: its alert opens or goes on; an alert of
 *   an earlier period still open resolves first ("the day ended"). A period
 *   that is over (late events) raises at most one alert, opened and resolved
 *   at once, beside whatever alert is active;
 * - it does not: only its own alert (or pending one) goes back.
 */
function judgePeriod(
  e: EngineCore,
  r: Aggregate,
  unit: Period,
  group: string,
  time: number,
  now: number,
  context: JsonObject,
) {
  const id = r.rule.id;
  const key = stateKey(id, group);
  const tz = e.business.timezone;
  const period = periodOf(time, unit, tz);
  const acc = e.windowValue(key, r.window, time);
  const value = windowResult(r, acc);
  const open = e.alerts.activeFor(id, group);
  const row = e.firing.get(id, group);
  const heldTime =
    open?.eventTime ??
    (row?.phase === "pending" ? (row.details as PendingDetails).eventTime : undefined);
  const held = heldTime === undefined ? undefined : periodOf(heldTime, unit, tz).start;
  if (value === null || !compare(value, r.aggregate.op, r.aggregate.threshold)) {
    if (held === undefined || held === period.start)
      e.clear(r, group, now, () => backText(r, value, time, now, tz));
    return;
  }
  const text = crossedText(r, value, time, now, tz);
  const details = {
    ...context,
    value,
    window: describeWindow(r.window, time, now, tz),
    events: acc.n,
  };
  const over = now >= period.end || (held !== undefined && held > period.start);
  if (over && held !== period.start) {
    if (!e.alerts.raisedIn(id, group, period.start, period.end, e.since(id)))
      e.fireEnded(r, group, now, {
        eventTime: time,
        text,
        context: details,
        why: `the ${unit} had ended`,
      });
    return;
  }
  if (held !== undefined && held < period.start) {
    // An earlier period's alert (or pending one) makes way for this period's.
    if (open) e.endAlert(open, now, `the ${unit} ended`);
    else e.clear(r, group, now, `the ${unit} ended`);
  }
  e.fire(r, group, now, time, text, details);
  e.checkLater(key, r.window, time);
}

/** Aggregate rules: count, sum, avg, min or max over a sliding window or a calendar period. */
export const aggregate: Evaluator<Aggregate> = {
  onEvent(e, r, group, event: NewEvent, now) {
    const a = r.aggregate;
    let value = 1;
    if (a.field) {
      const v = event.data[a.field];
      if (typeof v !== "number") return;
      value = v;
    }
    e.addToWindow(stateKey(r.rule.id, group), r.window, event.time, value);
    judge(e, r, group, event.time, now, { event: event.data });
  },

  /** The window moved on (or its calendar period ended) while an alert was open or pending. */
  onTimer(e, r, group, now) {
    if (r.window.kind === "calendar") {
      const open = e.alerts.activeFor(r.rule.id, group);
      const period = periodOf(
        open?.eventTime ?? now,
        r.window.period as Period,
        e.business.timezone,
      );
      if (now >= period.end && open) {
        e.endAlert(open, now, `the ${r.window.period} ended`);
        return;
      }
    }
    judge(e, r, group, now, now, {});
  },

  plan() {},
};
