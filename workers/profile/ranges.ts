import { observe, SENSITIVITY } from "../business/engine/anomaly";
import { localSlot } from "../business/engine/calendar";
import { newDetectorState } from "../business/engine/detector-state";
import { formatNumber } from "../business/engine/summary";
import { niceBound, Sample } from "./stats";
import type { Context, Draft, Findings } from "./types";
import { backtestOf, DAY, isoOf, MIN_VALUES } from "./types";

/** More groups at different levels than this get one grouped anomaly rule, not a range each. */
const MAX_RANGE_RULES = 4;
/** Days of history before an anomaly rule is suggested (several daily cycles). */
const ANOMALY_DAYS = 3;

interface Point {
  time: number;
  value: number;
  group: string;
}

/** Share of a series' variance explained by the hour of day (0: none, 1: all). */
export function dailySeasonality(points: Point[], zone: string): number {
  if (points.length < 2) return 0;
  const byHour = Array.from({ length: 24 }, () => ({ n: 0, sum: 0 }));
  let sum = 0;
  for (const p of points) {
    const h = byHour[Math.floor(localSlot(p.time, zone).hour)];
    if (h) {
      h.n++;
      h.sum += p.value;
    }
    sum += p.value;
  }
  const mean = sum / points.length;
  let total = 0;
  for (const p of points) total += (p.value - mean) ** 2;
  let between = 0;
  for (const h of byHour) if (h.n) between += h.n * (h.sum / h.n - mean) ** 2;
  return total > 0 ? between / total : 0;
}

/** Openings an immediate rule would have had: matching events after a non-matching one, per group. */
function openings(points: Point[], matches: (v: number) => boolean): number {
  const open = new Map<string, boolean>();
  let n = 0;
  for (const p of points) {
    const m = matches(p.value);
    if (m && !open.get(p.group)) n++;
    open.set(p.group, m);
  }
  return n;
}

/** Alerts an anomaly rule would have raised: the detector itself, replayed over the history. */
function anomalyBacktest(points: Point[], zone: string): number {
  const states = new Map<string, ReturnType<typeof newDetectorState>>();
  let n = 0;
  for (const p of points) {
    let state = states.get(p.group);
    if (!state) {
      state = newDetectorState();
      states.set(p.group, state);
    }
    if (observe(state, p.value, p.time, zone, SENSITIVITY.medium).opened) n++;
  }
  return n;
}

/**
 * Numeric fields: a range from robust quantiles becomes a threshold rule; a
 * series with a strong daily cycle, where one range cannot fit every hour,
 * becomes an anomaly rule instead.
 */
export function rangeFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  const zone = ctx.business.timezone;
  for (const field of ctx.business.fields) {
    if (field.type !== "number" && field.type !== "integer") continue;
    const points: Point[] = [];
    for (const e of ctx.history.events) {
      const v = e.data[field.name];
      if (typeof v !== "number") continue;
      const g = ctx.groupField ? e.data[ctx.groupField] : "";
      points.push({ time: e.time, value: v, group: typeof g === "string" ? g : "" });
    }
    if (points.length < MIN_VALUES) {
      findings.notes.push({
        subject: field.name,
        reason: `only ${points.length} values; a range needs at least ${MIN_VALUES}`,
      });
      continue;
    }
    const first = points[0]?.time ?? ctx.history.from;
    const last = points.at(-1)?.time ?? ctx.history.to;
    const seasonality = dailySeasonality(points, zone);
    const sample = new Sample(points.map((p) => p.value));
    const unit = field.unit ? ` ${field.unit}` : "";
    const longEnough = last - first >= ANOMALY_DAYS * DAY;
    if (seasonality >= 0.3 && longEnough) {
      findings.drafts.push(
        anomalyDraft(
          ctx,
          field.name,
          points,
          `${field.name} follows a daily cycle (the hour of day explains ${Math.round(seasonality * 100)}% of its variation, between ${formatNumber(sample.q(0.05))} and ${formatNumber(sample.q(0.95))}${unit} for 90% of values). A fixed range would miss odd values at quiet hours: watch it for anomalies${ctx.groupField ? ` per ${ctx.groupField}` : ""} instead.`,
          { seasonality, quantiles: quantiles(sample) },
        ),
      );
      continue;
    }
    const perGroup = splitByGroup(points);
    if (ctx.groupField && perGroup && perGroup.size > MAX_RANGE_RULES) {
      // A fleet at many levels: one rule learning each member's normal, not a range per member.
      const medians = new Sample(
        [...perGroup.values()].map((own) => new Sample(own.map((p) => p.value)).median),
      );
      const levels = `medians from ${formatNumber(medians.sorted[0] ?? 0)} to ${formatNumber(medians.sorted.at(-1) ?? 0)}${unit}`;
      if (!longEnough) {
        findings.notes.push({
          subject: field.name,
          reason: `${perGroup.size} ${ctx.groupField} values at different levels (${levels}): too many for a range each, and less than ${ANOMALY_DAYS} days to learn each one's normal`,
        });
        continue;
      }
      findings.drafts.push(
        anomalyDraft(
          ctx,
          field.name,
          points,
          `${perGroup.size} ${ctx.groupField} values keep ${field.name} at different levels (${levels}): one range cannot fit them all, and ${perGroup.size} rules would be too many. Watch each for anomalies against its own normal instead.`,
          { groups: perGroup.size, quantiles: quantiles(medians) },
        ),
      );
      continue;
    }
    if (ctx.groupField && perGroup) {
      for (const [group, own] of perGroup) {
        findings.drafts.push(
          rangeDraft(field.name, unit, own, new Sample(own.map((p) => p.value)), {
            field: ctx.groupField,
            value: group,
          }),
        );
      }
    } else {
      findings.drafts.push(rangeDraft(field.name, unit, points, sample));
    }
  }
  return findings;
}

/** An anomaly rule on a field (per group when there is a group field), its detector replayed as the backtest. */
function anomalyDraft(
  ctx: Context,
  field: string,
  points: Point[],
  rationale: string,
  extra: Record<string, unknown>,
): Draft {
  const first = points[0]?.time ?? ctx.history.from;
  const last = points.at(-1)?.time ?? ctx.history.to;
  return {
    fingerprint: "",
    rule: {
      name: `Unusual ${field}`,
      kind: "anomaly",
      field,
      sensitivity: "medium",
      severity: "warning",
      enabled: true,
      ...(ctx.groupField ? { groupBy: ctx.groupField } : {}),
    },
    rationale,
    evidence: {
      sampleSize: points.length,
      unit: "values",
      from: isoOf(first),
      to: isoOf(last),
      backtest: backtestOf(anomalyBacktest(points, ctx.business.timezone), first, last),
      ...extra,
    },
  };
}

function quantiles(s: Sample) {
  return {
    min: s.sorted[0] ?? 0,
    p01: s.q(0.01),
    p05: s.q(0.05),
    p50: s.median,
    p95: s.q(0.95),
    p99: s.q(0.99),
    max: s.sorted.at(-1) ?? 0,
    mad: s.spread,
  };
}

/**
 * Per-group series when the groups live at clearly different levels (one
 * range for all would be too wide for each): every group with enough values
 * has a median more than three spreads from another's.
 */
function splitByGroup(points: Point[]): Map<string, Point[]> | undefined {
  const groups = new Map<string, Point[]>();
  for (const p of points) {
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  const big = [...groups].filter(([g, list]) => g !== "" && list.length >= MIN_VALUES);
  if (big.length < 2 || big.length !== groups.size) return undefined;
  const stats = big.map(([, list]) => new Sample(list.map((p) => p.value)));
  const medians = stats.map((s) => s.median);
  const spread = new Sample(stats.map((s) => s.spread)).median;
  return Math.max(...medians) - Math.min(...medians) > 3 * Math.max(spread, 1e-9)
    ? new Map(big)
    : undefined;
}

function rangeDraft(
  field: string,
  unit: string,
  points: Point[],
  sample: Sample,
  group?: { field: string; value: string },
): Draft {
  const lo = sample.q(0.005);
  const hi = sample.q(0.995);
  const margin = hi > lo ? 0.25 * (hi - lo) : Math.max(Math.abs(sample.median) * 0.1, 1);
  const upper = niceBound(hi + margin, "up");
  const min = sample.sorted[0] ?? 0;
  // A field that is never negative (durations, counts) only gets an upper bound.
  const lowerWanted = !(min >= 0 && lo - margin <= 0);
  const lower = niceBound(lo - margin, "down");
  const condition = lowerWanted
    ? `${field} > ${upper} || ${field} < ${lower}`
    : `${field} > ${upper}`;
  const matches = (v: number) => v > upper || (lowerWanted && v < lower);
  const usual = `between ${formatNumber(lo)} and ${formatNumber(hi)}${unit} (p0.5 to p99.5, median ${formatNumber(sample.median)})`;
  const who = group ? `${group.value}: ` : "";
  return {
    fingerprint: "",
    rule: {
      name: `${who}${field} ${lowerWanted ? "out of range" : "too high"}`,
      kind: "immediate",
      condition,
      severity: "warning",
      enabled: true,
      ...(group
        ? { where: `${group.field} == ${JSON.stringify(group.value)}`, groupBy: group.field }
        : {}),
    },
    rationale: `${who}${field} is usually ${usual}. Alert when it is ${lowerWanted ? `above ${formatNumber(upper)} or below ${formatNumber(lower)}` : `above ${formatNumber(upper)}`}${unit}.`,
    evidence: {
      sampleSize: points.length,
      unit: "values",
      from: isoOf(points[0]?.time ?? 0),
      to: isoOf(points.at(-1)?.time ?? 0),
      backtest: backtestOf(
        openings(points, matches),
        points[0]?.time ?? 0,
        points.at(-1)?.time ?? 0,
      ),
      quantiles: quantiles(sample),
      bounds: lowerWanted ? { lower, upper } : { upper },
    },
  };
}
