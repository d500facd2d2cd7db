import type { Alert } from "../../schema/contracts/alerts";
import type { Business } from "../../schema/contracts/businesses";
import type { SeriesFn } from "../../schema/contracts/events";
import type { Rule } from "../../schema/contracts/rules";
import { ruleUses, thresholdsFor } from "./marks";

const HOUR = 3_600_000;

/** What to chart around an alert: the rule's field and function, over a window around its span. */
export function alertSeriesQuery(
  alert: Alert,
  rule: Rule | undefined,
  business: Business,
  now: number,
) {
  const numeric = business.fields.filter((f) => f.type === "number" || f.type === "integer");
  let field: string | undefined;
  let fn: SeriesFn = "count";
  if (rule?.kind === "anomaly") {
    field = rule.field;
    fn = "avg";
  } else if (rule?.kind === "aggregate") {
    const m = /\b(sum|avg|min|max|count)\((\w*)\)/.exec(rule.expression);
    if (m?.[1] && m[1] !== "count" && m[2]) {
      field = m[2];
      fn = m[1] as SeriesFn;
    }
  } else if (rule?.kind === "immediate") {
    field = numeric.find((f) => ruleUses(rule, f.name))?.name;
    if (field) {
      // A limit from above is seen in the bucket's highest value, from below in its lowest.
      const limit = thresholdsFor([rule], field, "avg")[0]?.label ?? "";
      fn = limit.includes(">") ? "max" : limit.includes("<") ? "min" : "avg";
    }
  }
  const opened = Date.parse(alert.openedAt);
  const ended = alert.resolvedAt ? Date.parse(alert.resolvedAt) : now;
  const span = Math.max(0, ended - opened);
  const from = opened - Math.max(2 * HOUR, span);
  const to = Math.min(now + 60_000, ended + Math.max(HOUR / 2, span / 2));
  const grouped = rule?.groupBy && alert.groupKey && alert.groupKey !== "*";
  return {
    field,
    fn,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...(grouped ? { groupBy: rule.groupBy, group: alert.groupKey } : {}),
  };
}
