import type { NewEvent } from "../../events";
import type { CompiledRule, Tolerance } from "../compile";
import type { EngineCore, Evaluator } from "../core";
import { stateKey } from "../keyed-store";
import { humanDuration, mentionedValues } from "../summary";

type Immediate = CompiledRule & { kind: "immediate" };

const conditionOf = (r: CompiledRule) =>
  r.rule.kind === "immediate" ? r.rule.condition : r.rule.name;

/** k of the last n, or the matching share over a sliding window. */
function tolerate(
  e: EngineCore,
  r: CompiledRule,
  t: Tolerance,
  group: string,
  matched: boolean,
  time: number,
): { holds: boolean; text: string; numbers: Record<string, number> } {
  const key = stateKey(r.rule.id, group);
  if (t.kind === "count") {
    const bits = ((e.state.tolerance.get(key) ?? "") + (matched ? "1" : "0")).slice(-t.ofLast);
    e.state.tolerance.set(key, bits);
    const hits = bits.split("1").length - 1;
    return {
      holds: hits >= t.atLeast,
      text: `${hits} of the last ${bits.length} events matched ${conditionOf(r)}`,
      numbers: { matched: hits, of: bits.length },
    };
  }
  e.addToWindow(key, t.window, time, matched ? 1 : 0);
  const acc = e.windowValue(key, t.window, time);
  const rate = acc.n ? acc.sum / acc.n : 0;
  const holds = acc.n >= t.minEvents && rate > t.rateAbove;
  if (holds) e.checkLater(key, t.window, time);
  return {
    holds,
    text: `${Math.round(rate * 100)}% of ${acc.n} events in ${humanDuration(t.window.ms)} matched ${conditionOf(r)} (over ${Math.round(t.rateAbove * 100)}%)`,
    numbers: { rate, events: acc.n },
  };
}

/** Immediate rules: each matching event is the condition; with a tolerance, enough of them. */
export const immediate: Evaluator<Immediate> = {
  onEvent(e, r, group, event: NewEvent, now) {
    const matched = r.condition(event.data);
    if (!r.tolerance) {
      if (matched) {
        const values = mentionedValues(
          r.rule.kind === "immediate" ? r.rule.condition : "",
          event.data,
        );
        e.fire(r, group, now, event.time, `${conditionOf(r)}${values ? ` (${values})` : ""}`, {
          event: event.data,
        });
      } else {
        e.clear(r, group, now, "the next event no longer matched");
      }
      return;
    }
    const { holds, text, numbers } = tolerate(e, r, r.tolerance, group, matched, event.time);
    if (holds) e.fire(r, group, now, event.time, text, { event: event.data, ...numbers });
    else e.clear(r, group, now, "the events are back within tolerance");
  },

  /** A rate tolerance's window moved on: the share may have fallen back. */
  onTimer(e, r, group, now) {
    if (r.tolerance?.kind !== "rate") return;
    const key = stateKey(r.rule.id, group);
    const acc = e.windowValue(key, r.tolerance.window, now);
    const rate = acc.n ? acc.sum / acc.n : 0;
    if (acc.n >= r.tolerance.minEvents && rate > r.tolerance.rateAbove) {
      e.checkLater(key, r.tolerance.window, now);
    } else {
      e.clear(r, group, now, "the matching share fell back within tolerance");
    }
  },

  plan() {},
};
