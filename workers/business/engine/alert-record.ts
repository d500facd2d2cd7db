import type { Alert, AlertStatus } from "../../../schema/contracts/alerts";
import type { JsonObject } from "../../../schema/contracts/json";
import type { Severity } from "../../../schema/contracts/rules";
import { iso } from "../../lib/time";

/** An alert as the object holds it, and its row in the object's `alerts` table. */
export interface AlertRecord {
  id: string;
  ruleId: string;
  groupKey: string;
  status: AlertStatus;
  severity: Severity;
  summary: string;
  openedAt: number;
  lastTriggeredAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  resolution: string | null;
  count: number;
  eventTime: number;
  context: JsonObject;
  /** Opened by backfilled history (an event time over an hour before receipt): listed, never notified. */
  historical: boolean;
  /** A silence matches it (it notifies nobody while that lasts). */
  silenced: boolean;
  /** An alert of a rule it is inhibited by is open. */
  inhibited: boolean;
  /** Bumped on every change; the D1 copy never goes back to an older one. */
  seq: number;
}

export type TransitionType = "opened" | "acknowledged" | "resolved";

export interface AlertRow {
  id: string;
  rule_id: string;
  group_key: string;
  status: AlertStatus;
  severity: Severity;
  summary: string;
  opened_at: number;
  last_triggered_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  resolution: string | null;
  count: number;
  event_time: number;
  context: string;
  historical: number;
  seq: number;
  silenced: number;
  inhibited: number;
  [key: string]: SqlStorageValue;
}

export function fromRow(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    ruleId: r.rule_id,
    groupKey: r.group_key,
    status: r.status,
    severity: r.severity,
    summary: r.summary,
    openedAt: r.opened_at,
    lastTriggeredAt: r.last_triggered_at,
    acknowledgedAt: r.acknowledged_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    count: r.count,
    eventTime: r.event_time,
    context: JSON.parse(r.context),
    historical: r.historical === 1,
    seq: r.seq,
    silenced: r.silenced === 1,
    inhibited: r.inhibited === 1,
  };
}

/** The API form of an alert, from the object's record or from its row in the D1 alert index. */
export function toAlert(a: Omit<AlertRecord, "seq">, businessId: string, ruleName: string): Alert {
  return {
    id: a.id,
    businessId,
    ruleId: a.ruleId,
    ruleName,
    groupKey: a.groupKey,
    status: a.status,
    severity: a.severity,
    summary: a.summary,
    openedAt: iso(a.openedAt),
    lastTriggeredAt: iso(a.lastTriggeredAt),
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedAt: iso(a.resolvedAt),
    resolution: a.resolution,
    count: a.count,
    eventTime: iso(a.eventTime),
    historical: a.historical,
    context: a.context,
    silenced: a.silenced,
    inhibited: a.inhibited,
  };
}

/** Writes an alert's row (a new one, or the fields that change on an existing one). */
export function writeAlert(sql: SqlStorage, a: AlertRecord): void {
  sql.exec(
    `insert into alerts (id, rule_id, group_key, status, severity, summary, opened_at, last_triggered_at,
       acknowledged_at, resolved_at, resolution, count, event_time, context, historical, seq, silenced, inhibited)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (id) do update set status = excluded.status, summary = excluded.summary,
       last_triggered_at = excluded.last_triggered_at, acknowledged_at = excluded.acknowledged_at,
       resolved_at = excluded.resolved_at, resolution = excluded.resolution, count = excluded.count,
       context = excluded.context, seq = excluded.seq, silenced = excluded.silenced,
       inhibited = excluded.inhibited`,
    a.id,
    a.ruleId,
    a.groupKey,
    a.status,
    a.severity,
    a.summary,
    a.openedAt,
    a.lastTriggeredAt,
    a.acknowledgedAt,
    a.resolvedAt,
    a.resolution,
    a.count,
    a.eventTime,
    JSON.stringify(a.context),
    a.historical ? 1 : 0,
    a.seq,
    a.silenced ? 1 : 0,
    a.inhibited ? 1 : 0,
  );
}
