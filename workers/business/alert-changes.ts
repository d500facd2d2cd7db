import type { AlertRecord } from "./engine/alert-record";
import type { AlertStore } from "./engine/alerts";
import type { RuleEngine } from "./engine/engine";

/**
 * A change made to an alert by hand, run inside a transaction: returns why it
 * refuses, or nothing. Errors do not keep their class across RPC, so refusals are data.
 */
export type AlertEdit = (
  alert: AlertRecord,
  now: number,
  engine: RuleEngine,
  alerts: AlertStore,
) => string | undefined;

export const acknowledgeAlert: AlertEdit = (alert, now, _engine, alerts) => {
  if (alert.status === "resolved") return `Alert '${alert.id}' is already resolved.`;
  alerts.acknowledge(alert, now);
  return undefined;
};

export const resolveAlert: AlertEdit = (alert, now, engine) => {
  if (alert.status !== "resolved") engine.resolveByHand(alert, now);
  return undefined;
};

/** "Forget this key": resolves the alert and drops the key's state (see RuleEngine.forgetKey). */
export const forgetAlert: AlertEdit = (alert, now, engine) => {
  engine.forgetKey(alert, now);
  return undefined;
};

/** The changes a person can make to an alert, by the name the API gives them. */
export const alertEdits = { ack: acknowledgeAlert, resolve: resolveAlert, forget: forgetAlert };
export type AlertAction = keyof typeof alertEdits;
