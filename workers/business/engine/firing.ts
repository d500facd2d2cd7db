import type { JsonObject } from "../../../schema/contracts/json";
/**
 * The states between "condition true" and "alert open", and between "condition
 * false" and "alert resolved": `pending` (the condition holds, waiting for the
 * rule's `for`) and `keeping` (the condition cleared, the alert stays open for
 * the rule's `keepFiringFor`). One row per (rule, group) in SQLite, cached in
 * memory, so the state survives eviction and the per-event check costs no query.
 */
export type Phase = "pending" | "keeping";

export interface PendingDetails {
  summary: string;
  eventTime: number;
  context: JsonObject;
  /** Opened by backfilled history: notifies nobody. */
  historical?: boolean;
}

export interface FiringRow {
  ruleId: string;
  groupKey: string;
  phase: Phase;
  since: number;
  /** pending: what the alert will say when it opens; keeping: why it will resolve. */
  details: PendingDetails | { why: string };
}

/** Jobs on the business's schedule, keyed by `ruleId\ngroupKey`. */
export const JOB_PENDING = "pending";
export const JOB_KEEP = "keep";

const keyOf = (ruleId: string, groupKey: string) => `${ruleId}\n${groupKey}`;

export class FiringStore {
  private readonly rows = new Map<string, FiringRow>();

  constructor(private readonly sql: SqlStorage) {
    this.reload();
  }

  get(ruleId: string, groupKey: string): FiringRow | undefined {
    if (this.rows.size === 0) return undefined;
    return this.rows.get(keyOf(ruleId, groupKey));
  }

  ofRule(ruleId: string): FiringRow[] {
    return [...this.rows.values()].filter((r) => r.ruleId === ruleId);
  }

  set(row: FiringRow): void {
    this.rows.set(keyOf(row.ruleId, row.groupKey), row);
    this.sql.exec(
      `insert into firing (rule_id, group_key, phase, since, details) values (?, ?, ?, ?, ?)
       on conflict (rule_id, group_key) do update
         set phase = excluded.phase, since = excluded.since, details = excluded.details`,
      row.ruleId,
      row.groupKey,
      row.phase,
      row.since,
      JSON.stringify(row.details),
    );
  }

  delete(ruleId: string, groupKey: string): void {
    if (!this.rows.delete(keyOf(ruleId, groupKey))) return;
    this.sql.exec(`delete from firing where rule_id = ? and group_key = ?`, ruleId, groupKey);
  }

  deleteRule(ruleId: string): void {
    for (const row of this.ofRule(ruleId)) this.rows.delete(keyOf(row.ruleId, row.groupKey));
    this.sql.exec(`delete from firing where rule_id = ?`, ruleId);
  }

  /** Reads the rows again from storage (after a failed transaction). */
  reload(): void {
    this.rows.clear();
    for (const r of this.sql.exec<{
      rule_id: string;
      group_key: string;
      phase: Phase;
      since: number;
      details: string;
    }>(`select rule_id, group_key, phase, since, details from firing`)) {
      this.rows.set(keyOf(r.rule_id, r.group_key), {
        ruleId: r.rule_id,
        groupKey: r.group_key,
        phase: r.phase,
        since: r.since,
        details: JSON.parse(r.details),
      });
    }
  }
}
