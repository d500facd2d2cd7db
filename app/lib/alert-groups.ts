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

const severityRank: Record<string, number> = { critical: 0, warning: 1, info: 2 };

/**
 * Rule groups for a short list that no one business can fill: the worst
 * severity first, then one group of each business in turn (newest first
 * within a business), so a storm in one business leaves room for the others.
 */
export function fairFirst<A extends Groupable & { severity: string }>(
  groups: A[][],
  limit: number,
): A[][] {
  const rank = (g: A[]) => severityRank[g[0]?.severity ?? ""] ?? 3;
  const queues = new Map<string, A[][]>();
  for (const g of [...groups].sort((a, b) => rank(a) - rank(b))) {
    const business = g[0]?.businessId ?? "";
    queues.set(business, [...(queues.get(business) ?? []), g]);
  }
  const out: A[][] = [];
  for (let round = 0; out.length < limit; round++) {
    const taken = [...queues.values()].map((q) => q[round]).filter((g): g is A[] => !!g);
    if (taken.length === 0) break;
    out.push(...taken.sort((a, b) => rank(a) - rank(b)).slice(0, limit - out.length));
  }
  return out;
}
