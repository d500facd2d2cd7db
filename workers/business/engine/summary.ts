import type { EventValue } from "../../../schema/contracts/events";
import type { AggregateExpression } from "./expressions";

/** `20m` → `20 min`, for sentences a person reads. */
export function humanDuration(ms: number): string {
  const units: [number, string, string][] = [
    [86_400_000, "day", "days"],
    [3_600_000, "h", "h"],
    [60_000, "min", "min"],
    [1000, "s", "s"],
  ];
  for (const [size, one, many] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${ms / size === 1 ? one : many}`;
  }
  return `${Math.round(ms / 1000)} s`;
}

export function prefix(groupKey: string): string {
  return groupKey === "" ? "" : `${groupKey}: `;
}

export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 2 : 1);
}

/** The values of the fields an expression names: `durationMs = 6120`. */
export function mentionedValues(expression: string, event: Record<string, EventValue>): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const name of expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (seen.has(name) || !(name in event)) continue;
    seen.add(name);
    parts.push(`${name} = ${JSON.stringify(event[name])}`);
  }
  return parts.join(", ");
}

export function aggregateText(a: AggregateExpression): string {
  return `${a.fn}(${a.field ?? ""})`;
}
