import type { RuleStatus } from "../../schema/contracts/rules";
import { WARM_UP_POINTS } from "./engine/anomaly";
import type { RuleEngine } from "./engine/engine";
import { replayPasses } from "./replay";

/** Each rule's standing: replaying its history or live, and for anomaly rules how many series still warm up. */
export function ruleStatus(sql: SqlStorage, engine: RuleEngine): Record<string, RuleStatus> {
  const status: Record<string, RuleStatus> = {};
  for (const r of engine.rules) status[r.rule.id] = { history: "ready" };
  for (const pass of replayPasses(sql)) {
    for (const id of pass.rules) status[id] = { history: "replaying", replayedEvents: pass.events };
  }
  for (const row of sql.exec<{ rule_id: string; groups: number; warming: number }>(
    `select rule_id, count(*) as groups, sum(json_extract(state, '$.n') < ?) as warming
     from anomaly group by rule_id`,
    WARM_UP_POINTS,
  )) {
    const s = status[row.rule_id];
    if (s) Object.assign(s, { groups: row.groups, warmingUp: row.warming });
  }
  for (const r of engine.rules) {
    const s = status[r.rule.id];
    if (r.kind === "anomaly" && s && s.groups === undefined)
      Object.assign(s, { groups: 0, warmingUp: 0 });
  }
  return status;
}
