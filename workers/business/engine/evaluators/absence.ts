import type { NewEvent } from "../../events";
import { scheduleAt } from "../../schedule";
import { clock } from "../calendar";
import type { CompiledRule } from "../compile";
import type { EngineCore, Evaluator } from "../core";
import { ALL_KEYS } from "../fire";
import { stateKey } from "../keyed-store";
import { humanDuration } from "../summary";
import { JOB_ABSENCE } from "../timers";

type Absence = CompiledRule & { kind: "absence" };

const MINUTE = 60_000;

/** Whether no event at all arrived for at least `windowMs` (never, if none ever arrived). */
function dark(e: EngineCore, now: number, windowMs: number): boolean {
  const last = e.lastIngest();
  return last !== undefined && now - last >= windowMs;
}

/** Absence rules: a key (or an expected one) that sends nothing for a window of active time. */
export const absence: Evaluator<Absence> = {
  onEvent(e, r, group, event: NewEvent, now) {
    const key = stateKey(r.rule.id, group);
    const last = e.state.lastSeen.get(key);
    if (last === undefined || event.time > last) e.state.lastSeen.set(key, event.time);
    if (e.muted.size && e.muted.delete(key)) {
      e.sql.exec(`delete from absence_muted where rule_id = ? and group_key = ?`, r.rule.id, group);
    }
    e.clear(r, group, now, "an event arrived");
  },

  onTimer(e, r, group, now) {
    const key = stateKey(r.rule.id, group);
    if (e.muted.has(key)) return;
    const last = e.state.lastSeen.get(key);
    // A key that never reported counts only while the rule expects it (it may have been retired).
    if (last === undefined && !r.expect.includes(group)) return;
    // Time counts from the key's last event, but never from before ingest resumed after
    // a gap at least one window long: an outage of ours or of the source is not the key's silence.
    const since = Math.max(last ?? e.since(r.rule.id), e.resumedAfter(r.windowMs));
    const deadline = r.active.deadline(since, r.windowMs);
    if (!Number.isFinite(deadline)) return;
    if (deadline > now) {
      scheduleAt(e.sql, JOB_ABSENCE, key, deadline);
      return;
    }
    if (e.alerts.activeFor(r.rule.id, group)) return;
    const tz = e.business.timezone;
    if (r.rule.groupBy && dark(e, now, r.windowMs)) {
      // Nothing from any key for a whole window: one alert for the rule, none per key.
      // The key's timer stops here; `plan` runs again when data arrives.
      const lastIngest = e.lastIngest() ?? 0;
      const quiet = Math.max(MINUTE, Math.round((now - lastIngest) / MINUTE) * MINUTE);
      e.fire(
        r,
        ALL_KEYS,
        now,
        lastIngest + r.windowMs,
        `no data from any source for ${humanDuration(quiet)} (last at ${clock(lastIngest, tz)}); keys are not checked one by one until data arrives`,
        { lastIngest: new Date(lastIngest).toISOString() },
      );
      return;
    }
    const text =
      last === undefined
        ? `no event for ${humanDuration(r.windowMs)} since the rule started (${clock(since, tz)})`
        : `no event for ${humanDuration(r.windowMs)} (last at ${clock(last, tz)})`;
    e.fire(r, group, now, deadline, text, {
      lastSeen: last === undefined ? null : new Date(last).toISOString(),
      deadline: new Date(deadline).toISOString(),
    });
  },

  /** (Re)schedules every timer: known keys from their last event, expected ones from the start. */
  plan(e, r, now) {
    const quiet = (group: string) =>
      e.alerts.activeFor(r.rule.id, group) || e.muted.has(stateKey(r.rule.id, group));
    const known = new Set<string>();
    for (const row of e.sql.exec<{ group_key: string; time: number }>(
      `select group_key, time from last_seen where rule_id = ?`,
      r.rule.id,
    )) {
      known.add(row.group_key);
      if (!quiet(row.group_key))
        scheduleAt(e.sql, JOB_ABSENCE, stateKey(r.rule.id, row.group_key), row.time + r.windowMs);
    }
    const since = e.since(r.rule.id);
    for (const group of r.expect) {
      if (known.has(group) || quiet(group)) continue;
      scheduleAt(e.sql, JOB_ABSENCE, stateKey(r.rule.id, group), Math.max(since + r.windowMs, now));
    }
  },
};
