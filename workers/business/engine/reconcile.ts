import type { Rule } from "../../../schema/contracts/rules";
import { scheduleAt } from "../schedule";
import type { CompiledRule } from "./compile";
import { stateFingerprint } from "./compile";
import type { RuleEngine } from "./engine";
import { evaluators } from "./evaluators";
import { JOB_KEEP, JOB_PENDING } from "./firing";
import { stateKey } from "./keyed-store";

/**
 * Brings stored state in line with the current rules: a deleted or disabled
 * rule loses its state and its alerts are resolved; an edit that changed what
 * the state means starts the rule afresh; other edits keep timers and
 * aggregates (absence timers are re-planned for a new window). New absence
 * rules with `expect` start timers for the expected keys. Returns the rules
 * that start afresh (new or changed): they learn from the history next.
 */
export function reconcile(engine: RuleEngine, allRules: Rule[], now: number): string[] {
  const { sql } = engine;
  const fresh: string[] = [];
  const rows = sql
    .exec<{ rule_id: string; fingerprint: string; expect: string | null }>(
      `select rule_id, fingerprint, expect from rule_state`,
    )
    .toArray();
  const stored = new Map(rows.map((r) => [r.rule_id, r.fingerprint]));
  const expected = new Map(rows.map((r) => [r.rule_id, r.expect]));
  const all = new Map(allRules.map((r) => [r.id, r]));
  for (const [ruleId] of stored) {
    const rule = all.get(ruleId);
    if (!rule || !engine.rule(ruleId)) {
      engine.forgetRule(ruleId, now, rule ? "the rule was disabled" : "the rule was deleted");
    }
  }
  for (const r of engine.rules) {
    const fingerprint = stateFingerprint(r.rule);
    const previous = stored.get(r.rule.id);
    if (previous !== undefined && previous !== fingerprint)
      engine.forgetRule(r.rule.id, now, "the rule was changed");
    if (previous !== fingerprint) {
      fresh.push(r.rule.id);
      sql.exec(
        `insert into rule_state (rule_id, fingerprint, since) values (?, ?, ?)
         on conflict (rule_id) do update set fingerprint = excluded.fingerprint, since = excluded.since`,
        r.rule.id,
        fingerprint,
        now,
      );
    }
    if (r.kind === "absence") {
      const was = previous === fingerprint ? expected.get(r.rule.id) : null;
      retireUnexpected(engine, r, was ?? null, now);
      evaluators.absence.plan(engine, r, now);
    }
    replanFiring(engine, r);
  }
  return fresh;
}

/** Keys taken out of `expect` are retired: their alert resolves and they are not watched until they report again. */
function retireUnexpected(
  engine: RuleEngine,
  r: CompiledRule & { kind: "absence" },
  was: string | null,
  now: number,
) {
  const next = JSON.stringify(r.expect);
  if (was === next) return;
  const before: string[] = was ? JSON.parse(was) : [];
  for (const group of before) {
    if (r.expect.includes(group)) continue;
    const open = engine.alerts.activeFor(r.rule.id, group);
    if (open) engine.alerts.resolve(open, now, "the key is no longer expected");
    engine.dropKey(r.rule.id, group);
  }
  engine.sql.exec(`update rule_state set expect = ? where rule_id = ?`, next, r.rule.id);
}

/** Pending and keep-firing periods follow the rule's current `for` and `keepFiringFor`. */
function replanFiring(engine: RuleEngine, r: CompiledRule) {
  for (const row of engine.firing.ofRule(r.rule.id)) {
    const key = stateKey(row.ruleId, row.groupKey);
    if (row.phase === "pending") scheduleAt(engine.sql, JOB_PENDING, key, row.since + r.forMs);
    else scheduleAt(engine.sql, JOB_KEEP, key, row.since + r.keepMs);
  }
}
