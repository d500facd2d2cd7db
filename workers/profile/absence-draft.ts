import type { RuleCreate } from "../../schema/contracts/rules";
import { ActiveTime } from "../business/engine/active";
import { humanDuration } from "../business/engine/summary";
import { activityOf, DAILY_CYCLE_DAYS, describeSchedule, scheduleOf } from "./schedule";
import { durationText, niceDuration, Sample } from "./stats";
import type { Stream } from "./streams";
import { activeGaps } from "./streams";
import type { Context, Draft, Note } from "./types";
import { backtestOf, isoOf, MIN_GAPS, spanText } from "./types";

/** A window needs at least this many times its length of history behind it. */
const MIN_CYCLES = 10;
/** No absence window shorter than this: seconds-long silences are jitter, not outages. */
const MIN_WINDOW_MS = 60_000;
/** A filter listing more values than this is not one a person reads. */
const MAX_LISTED = 200;

/**
 * One absence rule for streams of a similar rhythm, if the history holds
 * enough of it: several days (the daily cycle), enough gaps, and at least
 * MIN_CYCLES windows. Otherwise a note says what is missing.
 */
export function absenceDraft(
  ctx: Context,
  members: Stream[],
  group: { field: string; all: string[] } | undefined,
  end: number,
  notes: Note[],
): Draft | undefined {
  const zone = ctx.business.timezone;
  const keys = members.map((m) => m.key).sort();
  const merged =
    members.length === 1
      ? (members[0]?.times ?? [])
      : members.flatMap((m) => m.times).sort((a, b) => a - b);
  const from = merged[0] ?? end;
  const label = !group
    ? ctx.business.name
    : keys.length === 1
      ? (keys[0] ?? "")
      : `${keys.length} ${group.field} values`;
  const subject = `${label}: arrivals`;
  const span = end - from;
  const activity = activityOf(merged, zone, from, end);
  if (!activity.dayKnown) {
    notes.push({
      subject,
      reason: `too little data: ${spanText(span)} of history; an absence rule needs at least ${DAILY_CYCLE_DAYS} days (several daily cycles)`,
    });
    return undefined;
  }
  const pooled = new Sample(members.flatMap((m) => activeGaps(m.times, activity, zone)));
  if (pooled.size < MIN_GAPS) {
    notes.push({
      subject,
      reason: `only ${pooled.size} gaps between events in active time; the rhythm needs at least ${MIN_GAPS}`,
    });
    return undefined;
  }
  const typical = pooled.median;
  const p95 = pooled.q(0.95);
  if (p95 > 10 * Math.max(typical, 1000)) {
    notes.push({
      subject,
      reason: `too irregular for an absence window (typically ${humanDuration(niceDuration(typical))}, but p95 ${humanDuration(niceDuration(p95))})`,
    });
    return undefined;
  }
  const window = Math.max(MIN_WINDOW_MS, niceDuration(Math.max(p95 * 1.1, pooled.q(0.99))));
  if (span < MIN_CYCLES * window) {
    notes.push({
      subject,
      reason: `too little data: a window of ${humanDuration(window)} needs at least ${MIN_CYCLES} times that of history, and there is ${spanText(span)}`,
    });
    return undefined;
  }
  const scope = scopeOf(keys, group);
  if (scope === "too-long") {
    notes.push({
      subject,
      reason: `the ${keys.length} values of ${group?.field} in this rhythm are too many to list in a rule`,
    });
    return undefined;
  }
  const schedule = scheduleOf(activity);
  const alerts = absences(members, new ActiveTime(schedule, zone), window, end);
  const every = exact(typical);
  const when = describeSchedule(activity);
  const rule: RuleCreate = {
    name: !group
      ? "Events keep arriving"
      : keys.length === 1
        ? `${label} arrives every ${every}`
        : scope.where
          ? `${keys.length} ${group.field} values report every ${every}`
          : `Each ${group.field} reports every ${every}`,
    kind: "absence",
    window: durationText(window),
    severity: "warning",
    enabled: true,
    ...scope,
    ...(schedule ? { active: schedule } : {}),
  };
  const rationale =
    keys.length > 1
      ? `${keys.length} ${group?.field} values (${preview(keys)}) report in a similar rhythm: each typically every ${every} (p95 ${exact(p95)} over ${pooled.size} gaps)${when}. One rule for all of them: alert when any has no event for more than ${humanDuration(window)}.`
      : `${label}: typically every ${every} (p95 ${exact(p95)})${when}. Alert if no event for more than ${humanDuration(window)}.`;
  return {
    fingerprint: "",
    rule,
    rationale,
    evidence: {
      sampleSize: pooled.size,
      unit: "gaps",
      from: isoOf(from),
      to: isoOf(end),
      backtest: backtestOf(alerts, from, end),
      gapMs: {
        p50: typical,
        p90: pooled.q(0.9),
        p95,
        p99: pooled.q(0.99),
        max: pooled.sorted.at(-1) ?? 0,
      },
      windowMs: window,
      ...(group ? { keys: keys.length } : {}),
      weeklyPattern: activity.weekKnown ? "known" : "unknown",
      ...(schedule ? { active: schedule } : {}),
    },
  };
}

/** The rule's reach: the group field, the expected keys, and a filter when they are not all the field's values. */
function scopeOf(
  keys: string[],
  group: { field: string; all: string[] } | undefined,
): Pick<RuleCreate & { kind: "absence" }, "where" | "groupBy" | "expect"> | "too-long" {
  if (!group) return {};
  const f = group.field;
  if (keys.length === 1)
    return { where: `${f} == ${JSON.stringify(keys[0])}`, groupBy: f, expect: keys };
  const ours = new Set(keys);
  const others = group.all.filter((k) => !ours.has(k)).sort();
  if (others.length === 0) return { groupBy: f, expect: keys };
  // List whichever side is shorter: the streams in the rhythm, or the ones left out.
  const [listed, where] =
    others.length < keys.length
      ? [others, `!(${f} in ${JSON.stringify(others)})`]
      : [keys, `${f} in ${JSON.stringify(keys)}`];
  if (listed.length > MAX_LISTED || where.length > 2000) return "too-long";
  return { where, groupBy: f, expect: keys };
}

/**
 * Alerts the rule would have raised: a silence per stream longer than the
 * window in active time (the engine's own clock), including a stream that went
 * quiet before the history's end.
 */
function absences(members: Stream[], clock: ActiveTime, window: number, end: number): number {
  let alerts = 0;
  for (const { times } of members) {
    for (let i = 1; i < times.length; i++) {
      const prev = times[i - 1] ?? 0;
      const next = times[i] ?? 0;
      if (next - prev > window && next > clock.deadline(prev, window)) alerts++;
    }
    const last = times.at(-1);
    if (last !== undefined && end - last > window && end > clock.deadline(last, window)) alerts++;
  }
  return alerts;
}

/** `a, b, c and 37 more` */
export function preview(keys: string[]): string {
  return keys.length <= 4
    ? keys.join(", ")
    : `${keys.slice(0, 3).join(", ")} and ${keys.length - 3} more`;
}

/** A gap as a person says it: `15 min`, `17 min`, `40 s`. */
function exact(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Number((ms / 3_600_000).toFixed(1))} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
