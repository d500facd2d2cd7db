import type { RuleCreate } from "../../schema/contracts/rules";

/** Names and quoted strings of an expression: its shape without its numbers. */
function shapeOf(expression: string): string {
  const words = expression.match(/"[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  return [...new Set(words.map((w) => w.replace(/^'|'$/g, '"')))].sort().join(",");
}

/**
 * What a rule watches, without its thresholds: a suggestion and a rule with the
 * same fingerprint are the same idea, so a rejected or existing one is not
 * suggested again, and new evidence refreshes a pending one.
 */
export function fingerprintOf(rule: RuleCreate): string {
  const parts: string[] = [rule.kind, rule.where ?? "", rule.groupBy ?? ""];
  switch (rule.kind) {
    case "immediate":
      parts.push(shapeOf(rule.condition), rule.tolerance ? "tolerance" : "");
      break;
    case "aggregate":
      parts.push(
        rule.expression.replace(/\s+/g, "").replace(/(>=|<=|==|!=|>|<).*$/, ""),
        rule.window,
      );
      break;
    case "anomaly":
      parts.push(rule.field);
      break;
    case "absence":
      break;
  }
  return parts.join("|");
}
