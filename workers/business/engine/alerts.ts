import type { JsonObject } from "../../../schema/contracts/json";
import type { Severity } from "../../../schema/contracts/rules";
import { newId } from "../../lib/ids";
import { enqueue } from "../outbox";
import type { AlertRecord, AlertRow, TransitionType } from "./alert-record";
import { fromRow, writeAlert } from "./alert-record";

/** An alert opened by an event this much older than its receipt is historical. */
export const HISTORICAL_MS = 3_600_000;

const key = (ruleId: string, groupKey: string) => `${ruleId}\n${groupKey}`;

/** Told of each alert transition (see `AlertStore.listener`). */
export type TransitionListener = (
  alert: AlertRecord,
  type: TransitionType,
  transitionId: string,
  at: number,
) => void;

/**
 * The business's alerts. Active ones (open or acknowledged) stay in memory so
 * the engine finds them without a query; changes are written by `flush`, inside
 * the caller's transaction. Each transition gets a stable id, is logged, and is
 * queued in the outbox for the D1 index.
 */
export class AlertStore {
  /** Told of every transition, inside the same transaction (the notifier queues messages). */
  listener: TransitionListener | undefined;

  private readonly active = new Map<string, AlertRecord>();
  /** Active alerts per rule, so the common case (none) costs no key lookup. */
  private readonly activePerRule = new Map<string, number>();
  private readonly dirty = new Set<AlertRecord>();
  /** Alerts whose transition already queued them for the D1 index in this batch. */
  private readonly queued = new Set<string>();

  constructor(private readonly sql: SqlStorage) {
    this.reload();
  }

  activeFor(ruleId: string, groupKey: string): AlertRecord | undefined {
    if (!this.activePerRule.get(ruleId)) return undefined;
    return this.active.get(key(ruleId, groupKey));
  }

  private track(a: AlertRecord): void {
    this.active.set(key(a.ruleId, a.groupKey), a);
    this.activePerRule.set(a.ruleId, (this.activePerRule.get(a.ruleId) ?? 0) + 1);
  }

  hasActive(ruleId: string): boolean {
    return (this.activePerRule.get(ruleId) ?? 0) > 0;
  }

  /** Every active (open or acknowledged) alert. */
  allActive(): AlertRecord[] {
    return [...this.active.values()];
  }

  /**
   * Whether (rule, group) raised an alert opened since `since` for an event
   * time in [from, to): stored, or changed in this batch and not yet written.
   */
  raisedIn(ruleId: string, groupKey: string, from: number, to: number, since: number): boolean {
    const hit = (a: AlertRecord) =>
      a.ruleId === ruleId &&
      a.groupKey === groupKey &&
      a.eventTime >= from &&
      a.eventTime < to &&
      a.openedAt >= since;
    if ([...this.dirty].some(hit)) return true;
    return (
      this.sql
        .exec<{ hit: number }>(
          `select exists (select 1 from alerts where rule_id = ? and group_key = ?
             and event_time >= ? and event_time < ? and opened_at >= ?) as hit`,
          ruleId,
          groupKey,
          from,
          to,
          since,
        )
        .one().hit === 1
    );
  }

  /** Records a change of an alert's suppression flags (copied to the D1 index). */
  suppress(alert: AlertRecord, silenced: boolean, inhibited: boolean): boolean {
    if (alert.silenced === silenced && alert.inhibited === inhibited) return false;
    alert.silenced = silenced;
    alert.inhibited = inhibited;
    alert.seq += 1;
    this.dirty.add(alert);
    return true;
  }

  activeOfRule(ruleId: string): AlertRecord[] {
    return [...this.active.values()].filter((a) => a.ruleId === ruleId);
  }

  get(id: string): AlertRecord | undefined {
    for (const a of this.active.values()) if (a.id === id) return a;
    const row = this.sql.exec<AlertRow>(`select * from alerts where id = ?`, id).toArray()[0];
    return row ? fromRow(row) : undefined;
  }

  /** Opens an alert for (rule, group), or counts another trigger of the active one. */
  trigger(
    ruleId: string,
    groupKey: string,
    at: number,
    details: {
      severity: Severity;
      summary: string;
      eventTime: number;
      context: JsonObject;
      historical?: boolean;
    },
  ): AlertRecord {
    const current = this.activeFor(ruleId, groupKey);
    if (current) {
      current.count += 1;
      current.lastTriggeredAt = at;
      current.summary = details.summary;
      current.context = details.context;
      current.seq += 1;
      this.dirty.add(current);
      return current;
    }
    const alert = this.newAlert(ruleId, groupKey, at, details);
    this.track(alert);
    this.transition(alert, "opened", at, null);
    return alert;
  }

  /**
   * An alert that opens and resolves at once, beside any active alert of its
   * (rule, group): a calendar period that had already ended crossed its
   * threshold (late events; evaluators/aggregate.ts).
   */
  openResolved(
    ruleId: string,
    groupKey: string,
    at: number,
    details: Parameters<AlertStore["trigger"]>[3],
    resolution: string,
  ): AlertRecord {
    const alert = this.newAlert(ruleId, groupKey, at, details);
    this.transition(alert, "opened", at, null);
    alert.status = "resolved";
    alert.resolvedAt = at;
    alert.resolution = resolution;
    alert.seq += 1;
    this.transition(alert, "resolved", at, { resolution });
    return alert;
  }

  private newAlert(
    ruleId: string,
    groupKey: string,
    at: number,
    details: Parameters<AlertStore["trigger"]>[3],
  ): AlertRecord {
    return {
      id: newId("alt", at),
      ruleId,
      groupKey,
      status: "open",
      severity: details.severity,
      summary: details.summary,
      openedAt: at,
      lastTriggeredAt: at,
      acknowledgedAt: null,
      resolvedAt: null,
      resolution: null,
      count: 1,
      eventTime: details.eventTime,
      context: details.context,
      historical: details.historical ?? false,
      seq: 1,
      silenced: false,
      inhibited: false,
    };
  }

  acknowledge(alert: AlertRecord, at: number): void {
    if (alert.status !== "open") return;
    alert.status = "acknowledged";
    alert.acknowledgedAt = at;
    alert.seq += 1;
    this.transition(alert, "acknowledged", at, null);
  }

  resolve(alert: AlertRecord, at: number, resolution: string): void {
    if (alert.status === "resolved") return;
    alert.status = "resolved";
    alert.resolvedAt = at;
    alert.resolution = resolution;
    alert.seq += 1;
    this.active.delete(key(alert.ruleId, alert.groupKey));
    this.activePerRule.set(alert.ruleId, (this.activePerRule.get(alert.ruleId) ?? 1) - 1);
    this.transition(alert, "resolved", at, { resolution });
  }

  private transition(
    alert: AlertRecord,
    type: TransitionType,
    at: number,
    detail: Record<string, unknown> | null,
  ) {
    const id = newId("atr", at);
    this.dirty.add(alert);
    this.sql.exec(
      `insert into alert_log (id, alert_id, type, at, detail) values (?, ?, ?, ?, ?)`,
      id,
      alert.id,
      type,
      at,
      detail ? JSON.stringify(detail) : null,
    );
    enqueue(this.sql, "index", { alertId: alert.id, transitionId: id });
    this.queued.add(alert.id);
    this.listener?.(alert, type, id, at);
  }

  /** Writes every changed alert; a change no transition queued (a count, say) is queued for the D1 index here. */
  flush(): boolean {
    if (this.dirty.size === 0) return false;
    for (const a of this.dirty) {
      writeAlert(this.sql, a);
      if (!this.queued.has(a.id)) enqueue(this.sql, "index", { alertId: a.id });
    }
    this.dirty.clear();
    this.queued.clear();
    return true;
  }

  /** Drops in-memory state after a failed transaction, so it is read again from storage. */
  reload(): void {
    this.active.clear();
    this.activePerRule.clear();
    this.dirty.clear();
    this.queued.clear();
    for (const row of this.sql.exec<AlertRow>(`select * from alerts where status != 'resolved'`)) {
      this.track(fromRow(row));
    }
  }
}
