import type { NewEvent } from "../../events";
import { observe } from "../anomaly";
import type { CompiledRule } from "../compile";
import type { Evaluator } from "../core";
import { closeEpisode, loadDetectorState } from "../detector-state";
import { stateKey } from "../keyed-store";
import { formatNumber } from "../summary";

type Anomaly = CompiledRule & { kind: "anomaly" };

/** Anomaly rules: a learnt detector per series judges each value. */
export const anomaly: Evaluator<Anomaly> = {
  onEvent(e, r, group, event: NewEvent, now) {
    const value = event.data[r.field];
    if (typeof value !== "number") return;
    const key = stateKey(r.rule.id, group);
    const state = e.state.detectors.getOr(key, () => loadDetectorState(undefined));
    const v = observe(state, value, event.time, e.business.timezone, r.settings);
    e.state.detectors.touch(key);
    // One episode is one alert: it opens with the episode, and later unusual
    // points of the same episode only add to it (an alert resolved by hand
    // stays resolved until the episode is over).
    if (v.opened || (v.anomalous && e.alerts.activeFor(r.rule.id, group))) {
      const what =
        v.kind === "spike"
          ? `${r.field} = ${formatNumber(value)} is unusual`
          : v.kind === "flat"
            ? `${r.field} has stopped changing (${formatNumber(value)})`
            : `${r.field} has shifted ${v.z > 0 ? "up" : "down"} (${formatNumber(value)})`;
      const text = `${what}: expected ${formatNumber(v.expected)}, normally ${formatNumber(v.low)} to ${formatNumber(v.high)}`;
      e.fire(r, group, now, event.time, text, {
        event: event.data,
        value,
        expected: v.expected,
        low: v.low,
        high: v.high,
        z: v.z,
        anomaly: v.kind,
      });
    } else if (v.recovered) {
      e.clear(r, group, now, `${r.field} is back to normal (${formatNumber(value)})`);
    }
  },

  onTimer() {},

  plan() {},

  /**
   * After a replay: an episode the history ended in is closed quietly (the next
   * unusual live point opens the alert).
   */
  resume(e, r) {
    const detectors = e.state.detectors;
    const prefix = `${r.rule.id}\n`;
    for (const [key, state] of detectors.cached()) {
      if (key.startsWith(prefix) && closeEpisode(state)) detectors.touch(key);
    }
    for (const row of e.sql.exec<{ group_key: string; state: string }>(
      `select group_key, state from anomaly where rule_id = ?`,
      r.rule.id,
    )) {
      const key = stateKey(r.rule.id, row.group_key);
      if (detectors.isCached(key)) continue;
      const state = loadDetectorState(row.state);
      if (closeEpisode(state)) detectors.set(key, state);
    }
  },
};
