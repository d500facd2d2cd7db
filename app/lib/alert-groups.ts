/** Alerts of one rule and status, opened within this long of each other, are shown as a group. */
const GROUP_SPAN_MS = 5 * 60_000;
/** Groups this large are collapsed. */
export const GROUP_MIN = 3;

interface Groupable {
  businessId: string;
  ruleId: string;
  status: string;
  openedAt: string;
}

/** Consecutive alerts (newest first) of one business, rule and status opened close together. */
export function groupAlerts<A extends Groupable>(items: A[]): A[][] {
  const groups: A[][] = [];
  for (const a of items) {
    const group = groups.at(-1);
    const first = group?.[0];
    if (
      group &&
      first &&
      first.businessId === a.businessId &&
      first.ruleId === a.ruleId &&
      first.status === a.status &&
      Date.parse(first.openedAt) - Date.parse(a.openedAt) <= GROUP_SPAN_MS
    )
      group.push(a);
    else groups.push([a]);
  }
  return groups;
}

/** Open alerts by business and rule, the busiest first: a storm of one rule is one line. */
export function byRule<A extends Groupable>(items: A[]): A[][] {
  const groups = new Map<string, A[]>();
  for (const a of items) {
    const key = `${a.businessId}\n${a.ruleId}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()];
}
