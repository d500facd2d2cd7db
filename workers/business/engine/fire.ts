import type { JsonObject } from "../../../schema/contracts/json";
import { scheduleAt, unschedule } from "../schedule";
import type { AlertStore } from "./alerts";
import { HISTORICAL_MS } from "./alerts";
import type { CompiledRule } from "./compile";
import type { FiringStore, PendingDetails } from "./firing";
import { JOB_KEEP, JOB_PENDING } from "./firing";
import { stateKey } from "./keyed-store";
import { prefix } from "./summary";

/** The group key of an absence rule's one "no data from any source" alert. */
export const ALL_KEYS = "*";

/** What an evaluator says when a rule's condition holds: for which group, when, and in what words. */
export type FireArgs = [
  r: CompiledRule,
  group: string,
  now: number,
  eventTime: number,
  text: string,
  context: JsonObject,
];

interface Parts {
  sql: SqlStorage;
  alerts: AlertStore;
  firing: FiringStore;
}

/**
 * The condition holds: continues the active alert (ending a keep-firing
 * period), or opens one, or, with `for`, starts (or goes on) pending.
 */
export function fire(
  { sql, alerts, firing }: Parts,
  ...[r, group, now, eventTime, text, context]: FireArgs
): void {
  const id = r.rule.id;
  const details = detailsOf(r, group, now, eventTime, text, context);
  const row = firing.get(id, group);
  if (alerts.activeFor(id, group)) {
    if (row?.phase === "keeping") {
      firing.delete(id, group);
      unschedule(sql, JOB_KEEP, stateKey(id, group));
    }
  } else if (r.forMs > 0) {
    const since = row?.phase === "pending" ? row.since : now;
    if (now < since + r.forMs) {
      firing.set({ ruleId: id, groupKey: group, phase: "pending", since, details });
      if (!row) scheduleAt(sql, JOB_PENDING, stateKey(id, group), since + r.forMs);
      return;
    }
    firing.delete(id, group);
    unschedule(sql, JOB_PENDING, stateKey(id, group));
  }
  alerts.trigger(id, group, now, { severity: r.rule.severity, ...details });
}

function detailsOf(
  r: CompiledRule,
  group: string,
  now: number,
  eventTime: number,
  text: string,
  context: JsonObject,
): PendingDetails {
  const label = group === ALL_KEYS ? "All keys" : group;
  return {
    summary: `${prefix(label)}${text}`,
    eventTime,
    context,
    // Backfill notifies nobody; an absence deadline is not an event, and a late alarm is still news.
    historical: r.kind !== "absence" && now - eventTime > HISTORICAL_MS,
  };
}

/**
 * A window that is over held the condition (a calendar period that ended,
 * crossed by late events): its alert opens and resolves at once, beside the
 * (rule, group)'s active alert if there is one; no `for`, no keep-firing.
 */
export function fireEnded(
  { alerts }: Pick<Parts, "alerts">,
  r: CompiledRule,
  group: string,
  now: number,
  ended: EndedWindow,
): void {
  const details = detailsOf(r, group, now, ended.eventTime, ended.text, ended.context);
  alerts.openResolved(r.rule.id, group, now, { severity: r.rule.severity, ...details }, ended.why);
}

/** What a window that is over says when it held the condition. */
export interface EndedWindow {
  eventTime: number;
  text: string;
  context: JsonObject;
  /** Why it resolved at once. */
  why: string;
}

/**
 * The condition no longer holds: a pending alert never opens; an active one
 * resolves, after `keepFiringFor` if the rule keeps firing. The reason is only
 * worded when it is needed.
 */
export function clear(
  { sql, alerts, firing }: Parts,
  r: CompiledRule,
  group: string,
  now: number,
  why: string | (() => string),
): void {
  const id = r.rule.id;
  const row = firing.get(id, group);
  if (row?.phase === "pending") {
    firing.delete(id, group);
    unschedule(sql, JOB_PENDING, stateKey(id, group));
    return;
  }
  const open = alerts.activeFor(id, group);
  if (!open || row?.phase === "keeping") return;
  const reason = typeof why === "string" ? why : why();
  if (r.keepMs > 0) {
    firing.set({
      ruleId: id,
      groupKey: group,
      phase: "keeping",
      since: now,
      details: { why: reason },
    });
    scheduleAt(sql, JOB_KEEP, stateKey(id, group), now + r.keepMs);
    return;
  }
  alerts.resolve(open, now, reason);
}

/** A pending alert whose `for` has passed opens; one the condition left is gone already. */
export function openPending(
  { alerts, firing }: Parts,
  r: CompiledRule,
  group: string,
  now: number,
) {
  const row = firing.get(r.rule.id, group);
  if (row?.phase !== "pending") return;
  // The job runs when `for` has passed (rule edits re-plan it): trusted, so tests can move time.
  firing.delete(r.rule.id, group);
  const details = row.details as PendingDetails;
  alerts.trigger(r.rule.id, group, now, { severity: r.rule.severity, ...details });
}

/** An alert whose condition stayed clear for `keepFiringFor` resolves. */
export function endKeeping({ alerts, firing }: Parts, r: CompiledRule, group: string, now: number) {
  const row = firing.get(r.rule.id, group);
  if (row?.phase !== "keeping") return;
  firing.delete(r.rule.id, group);
  const open = alerts.activeFor(r.rule.id, group);
  if (open) alerts.resolve(open, now, (row.details as { why: string }).why);
}
