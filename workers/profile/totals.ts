import type { Field } from "../../schema/contracts/businesses";
import { localSlot, periodOf } from "../business/engine/calendar";
import { formatNumber } from "../business/engine/summary";
import { niceBound, Sample } from "./stats";
import type { Context, Findings } from "./types";
import { backtestOf, isoOf, MIN_DAYS } from "./types";

/** Quantities that add up over a day (money, sizes, counts), unlike readings (temperature). */
const ADDITIVE_NAME =
  /amount|total|cost|price|spend|revenue|sales|bytes|size|count|qty|quantity|volume|files|items|records|rows/i;
const ADDITIVE_UNIT =
  /^([A-Z]{3}|[$€£¥]|bytes?|B|KB|MB|GB|KiB|MiB|GiB|files?|items?|records?|rows?|pcs|units?)$/i;

export function isAdditive(field: Pick<Field, "name" | "unit" | "type">): boolean {
  if (field.type !== "number" && field.type !== "integer") return false;
  return (
    ADDITIVE_NAME.test(field.name) || (field.unit !== undefined && ADDITIVE_UNIT.test(field.unit))
  );
}

/**
 * Totals per local calendar day of additive fields → an aggregate rule on the
 * day's sum, above what the history's days reached.
 */
export function totalFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  const zone = ctx.business.timezone;
  const events = ctx.history.events;
  const firstTime = events[0]?.time;
  if (firstTime === undefined) return findings;
  // Whole days only: from the first midnight after the first event to the last before now.
  const start = periodOf(firstTime, "day", zone).end;
  const end = periodOf(ctx.history.to, "day", zone).start;
  for (const field of ctx.business.fields) {
    if (!isAdditive(field)) continue;
    const totals = new Map<number, number>();
    for (let d = localSlot(start, zone).date; d < localSlot(end, zone).date; d++) totals.set(d, 0);
    for (const e of events) {
      if (e.time < start || e.time >= end) continue;
      const v = e.data[field.name];
      if (typeof v !== "number") continue;
      const date = localSlot(e.time, zone).date;
      totals.set(date, (totals.get(date) ?? 0) + v);
    }
    if (totals.size < MIN_DAYS) {
      findings.notes.push({
        subject: `${field.name} per day`,
        reason: `only ${totals.size} whole days of history; daily totals need at least ${MIN_DAYS}`,
      });
      continue;
    }
    const sample = new Sample(totals.values());
    const max = sample.sorted.at(-1) ?? 0;
    if (max <= 0) continue;
    const threshold = niceBound(Math.max(sample.q(0.95) + 3 * sample.spread, max * 1.05), "up");
    const unit = field.unit ? ` ${field.unit}` : "";
    const over = sample.sorted.filter((t) => t > threshold).length;
    findings.drafts.push({
      fingerprint: "",
      rule: {
        name: `Daily ${field.name} above ${formatNumber(threshold)}${unit}`,
        kind: "aggregate",
        expression: `sum(${field.name}) > ${threshold}`,
        window: "day",
        severity: "warning",
        enabled: true,
      },
      rationale: `${field.name} adds up to ${formatNumber(sample.median)}${unit} on a typical day (p95 ${formatNumber(sample.q(0.95))}, highest ${formatNumber(max)}) in ${zone}. Alert when a day's total passes ${formatNumber(threshold)}${unit}.`,
      evidence: {
        sampleSize: totals.size,
        unit: "days",
        from: isoOf(start),
        to: isoOf(end),
        backtest: backtestOf(over, start, end),
        dailyTotal: {
          min: sample.sorted[0] ?? 0,
          p50: sample.median,
          p95: sample.q(0.95),
          max,
          mad: sample.spread,
        },
        threshold,
      },
    });
  }
  return findings;
}
