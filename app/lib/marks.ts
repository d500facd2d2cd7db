import type { Alert } from "../../schema/contracts/alerts";
import type { Rule } from "../../schema/contracts/rules";
import type { ChartMarks } from "../components/chart";

const number = String.raw`(-?\d+(?:\.\d+)?)`;
const flip = { ">": "<", ">=": "<=", "<": ">", "<=": ">=" } as const;

/** Whether a rule reads a field (its condition, expression, filter or anomaly field). */
export function ruleUses(rule: Rule, field: string): boolean {
  const word = new RegExp(`(^|[^\\w.])${field}(?!\\w)`);
  const texts = [
    rule.where,
    rule.kind === "immediate" ? rule.condition : undefined,
    rule.kind === "aggregate" ? rule.expression : undefined,
  ];
  return (rule.kind === "anomaly" && rule.field === field) || texts.some((t) => t && word.test(t));
}

/**
 * The numeric limits a chart of `field` can draw: `durationMs > 5000` in an
 * immediate rule's condition, or `avg(durationMs) > 5000` in an aggregate rule
 * when the chart shows that function.
 */
export function thresholdsFor(rules: Rule[], field: string, fn: string) {
  const out: NonNullable<ChartMarks["thresholds"]> = [];
  const subject =
    fn === "count"
      ? String.raw`count\(\)`
      : `(?:${fn}\\(${field}\\)|(?<![\\w.(])${field}(?![\\w(]))`;
  const forward = new RegExp(`${subject}\\s*(>=|>|<=|<)\\s*${number}`, "g");
  const backward = new RegExp(`${number}\\s*(>=|>|<=|<)\\s*${subject}`, "g");
  for (const r of rules) {
    if (!r.enabled) continue;
    const text =
      r.kind === "immediate" && fn !== "count"
        ? r.condition.replace(/\w+\([^)]*\)/g, "")
        : r.kind === "aggregate"
          ? r.expression
          : "";
    if (!text) continue;
    for (const m of text.matchAll(forward))
      out.push({ value: Number(m[2]), label: `${r.name}: ${m[1]} ${m[2]}` });
    for (const m of text.matchAll(backward)) {
      const op = m[2] as keyof typeof flip;
      out.push({ value: Number(m[1]), label: `${r.name}: ${flip[op]} ${m[1]}` });
    }
  }
  return out;
}

/** Alert spans (opened → resolved, or the chart's end) of the given rules' alerts. */
export function spansFor(alerts: Alert[], ruleIds: Set<string>, end: string) {
  return alerts
    .filter((a) => ruleIds.has(a.ruleId))
    .map((a) => ({
      from: Date.parse(a.openedAt),
      to: Date.parse(a.resolvedAt ?? end),
      severity: a.severity,
      label: a.summary,
    }));
}
