import type { JsonObject } from "../../../../schema/contracts/json";
import type { NewEvent } from "../../events";
import type { Period } from "../calendar";
import { periodOf } from "../calendar";
import type { CompiledRule } from "../compile";
import type { EngineCore, Evaluator } from "../core";
import { compare } from "../expressions";
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
  const key = stateKey(r.rule.id, group);
  const tz = e.business.timezone;
  const acc = e.windowValue(key, r.window, time);
  const value = windowResult(r, acc);
  if (value !== null && compare(value, r.aggregate.op, r.aggregate.threshold)) {
    const span = describeWindow(r.window, time, now, tz);
    const text = `${aggregateText(r.aggregate)} ${span} is ${formatNumber(value)} (${r.aggregate.op} ${formatNumber(r.aggregate.threshold)})`;
    e.fire(r, group, now, time, text, { ...context, value, window: span, events: acc.n });
    e.checkLater(key, r.window, time);
  } else {
    const back = value === null ? "nothing" : formatNumber(value);
    e.clear(
      r,
      group,
      now,
      () =>
        `${aggregateText(r.aggregate)} ${describeWindow(r.window, time, now, tz)} is back to ${back}`,
    );
  }
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
        e.alerts.resolve(open, now, `the ${r.window.period} ended`);
        return;
      }
    }
    judge(e, r, group, now, now, {});
  },

  plan() {},
};
