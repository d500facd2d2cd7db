import { unschedule } from "../schedule";
import { stateKey } from "./keyed-store";
import { JOB_ABSENCE } from "./timers";

/**
 * Absence keys resolved by hand or forgotten: not expected again until they
 * report (see evaluators/absence.ts). Kept in `muted` by state key and in the
 * `absence_muted` table.
 */
export function loadMuted(sql: SqlStorage, muted: Set<string>): void {
  muted.clear();
  for (const r of sql.exec<{ rule_id: string; group_key: string }>(
    `select rule_id, group_key from absence_muted`,
  ))
    muted.add(stateKey(r.rule_id, r.group_key));
}

/** Mutes one key of an absence rule, and drops its pending deadline. */
export function muteKey(sql: SqlStorage, muted: Set<string>, ruleId: string, group: string): void {
  muted.add(stateKey(ruleId, group));
  sql.exec(
    `insert into absence_muted (rule_id, group_key) values (?, ?) on conflict do nothing`,
    ruleId,
    group,
  );
  unschedule(sql, JOB_ABSENCE, stateKey(ruleId, group));
}
