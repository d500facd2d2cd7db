import type { RuleCreate } from "../../schema/contracts/rules";
import { ActiveTime } from "../business/engine/active";
import { localSlot } from "../business/engine/anomaly";
import { humanDuration } from "../business/engine/summary";
import { coveringRule } from "./covered";
import type { Activity } from "./schedule";
import { activityOf, DAILY_CYCLE_DAYS, describeSchedule, scheduleOf } from "./schedule";
import { durationText, niceDuration, Sample } from "./stats";
import type { Context, Draft, Findings, Note } from "./types";
import { backtestOf, isoOf, MIN_GAPS, spanText } from "./types";

/** The most values one field may have to be profiled as streams. */
const MAX_GROUPS = 500;
/** A window needs at least this many times its length of history behind it. */
const MIN_CYCLES = 10;
/** No absence window shorter than this: seconds-long silences are jitter, not outages. */
const MIN_WINDOW_MS = 60_000;
/** Streams whose typical gaps are within this factor of each other share one rule. */
const SIMILAR = 2;
/**
 * Gaps one stream needs to join others of its rhythm: their pooled gaps (at
 * least MIN_GAPS) carry the window, so a fleet of devices reporting every six
 * hours is judged on all of them together.
 */
const MIN_STREAM_GAPS = 5;
/** The most absence rules one run suggests; the largest groups of streams come first. */
const MAX_RHYTHM_DRAFTS = 12;
/** A filter listing more values than this is not one a person reads. */
const MAX_LISTED = 200;

/** Gaps between consecutive events that lie wholly in active time. */
export function activeGaps(times: number[], a: Activity, zone: string): number[] {
  const limitedHours = a.hours[0] !== 0 || a.hours[1] !== 24;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const prev = times[i - 1] ?? 0;
    const next = times[i] ?? 0;
    const p = localSlot(prev, zone);
    const n = localSlot(next, zone);
    const active = (s: typeof p) =>
      a.days[s.day] === true && s.hour >= a.hours[0] && s.hour < a.hours[1];
    if (!active(p) || !active(n)) continue;
    if (limitedHours && p.date !== n.date) continue;
    // A gap across an inactive day is not a gap of the stream.
    let crosses = false;
    for (let d = p.date + 1; d < n.date; d++) if (!a.days[(((d + 3) % 7) + 7) % 7]) crosses = true;
    if (!crosses) gaps.push(next - prev);
  }
  return gaps;
}

/** The time of the history's newest event: days after it are unknown, not quiet. */
const endOf = (ctx: Pick<Context, "history">) => ctx.history.events.at(-1)?.time ?? ctx.history.to;

function gapsOf(times: number[], zone: string, end: number): Sample {
  const activity = activityOf(times, zone, times[0] ?? end, end);
  return new Sample(activeGaps(times, activity, zone));
}

/** How irregular a stream's arrivals are: p90 over median of its gaps (1 is a metronome). */
function irregularity(gaps: Sample, least = MIN_GAPS): number {
  return gaps.size < least ? Number.POSITIVE_INFINITY : gaps.q(0.9) / Math.max(gaps.median, 1);
}

/** The times of events per value of a field, for string and enum fields with not too many values. */
export function groupsOf(
  ctx: Pick<Context, "history">,
  field: string,
): Map<string, number[]> | undefined {
  const groups = new Map<string, number[]>();
  for (const e of ctx.history.events) {
    const v = e.data[field];
    if (typeof v !== "string") continue;
    let times = groups.get(v);
    if (!times) {
      if (groups.size >= MAX_GROUPS) return undefined;
      times = [];
      groups.set(v, times);
    }
    times.push(e.time);
  }
  return groups.size >= 2 ? groups : undefined;
}

/**
 * The field whose values are independent streams (a flow, a device): the one
 * that makes arrivals most regular when split by it, if the streams are regular.
 */
export function chooseGroupField(ctx: Pick<Context, "business" | "history">): string | undefined {
  const zone = ctx.business.timezone;
  const end = endOf(ctx);
  const whole = irregularity(
    gapsOf(
      ctx.history.events.map((e) => e.time),
      zone,
      end,
    ),
  );
  let best: { field: string; score: number } | undefined;
  for (const f of ctx.business.fields) {
    if (f.type !== "string" && f.type !== "enum") continue;
    const groups = groupsOf(ctx, f.name);
    if (!groups) continue;
    const scores = [...groups.values()]
      .filter((times) => times.length > MIN_STREAM_GAPS)
      .map((times) => irregularity(gapsOf(times, zone, end), MIN_STREAM_GAPS))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (scores.length < 2) continue;
    const score = scores[Math.floor(scores.length / 2)] ?? Number.POSITIVE_INFINITY;
    if (!best || score < best.score) best = { field: f.name, score };
  }
  // Split when the streams are regular on their own and no less regular than the whole:
  // then each can be watched for silence, which the whole would hide.
  if (best && best.score <= 4 && best.score <= 1.5 * whole) return best.field;
  return undefined;
}

interface Stream {
  key: string;
  times: number[];
  /** Median gap of the stream on its own. */
  typical: number;
}

/** Streams in groups of similar rhythm (typical gaps within a factor of SIMILAR), fastest first. */
export function similarRhythms<T extends { typical: number }>(streams: T[]): T[][] {
  const sorted = [...streams].sort((a, b) => a.typical - b.typical);
  const out: T[][] = [];
  let current: T[] = [];
  for (const s of sorted) {
    const head = current[0];
    if (head && s.typical <= SIMILAR * Math.max(head.typical, 1000)) current.push(s);
    else {
      if (current.length) out.push(current);
      current = [s];
    }
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * Absence suggestions from the arrival rhythm. With a group field, streams of
 * a similar rhythm (a fleet of devices) share one rule grouped by the field,
 * with `expect` listing them and a window from their pooled gaps; a stream with
 * a rhythm of its own gets its own rule.
 */
export function rhythmFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  const end = endOf(ctx);
  const zone = ctx.business.timezone;
  const field = ctx.groupField;
  if (!field) {
    const times = ctx.history.events.map((e) => e.time);
    const draft = absenceDraft(
      ctx,
      [{ key: "", times, typical: 0 }],
      undefined,
      end,
      findings.notes,
    );
    if (draft) findings.drafts.push(draft);
    return findings;
  }
  const groups = groupsOf(ctx, field) ?? new Map<string, number[]>();
  const streams: Stream[] = [];
  const sparse: string[] = [];
  const watched = new Map<string, string[]>();
  for (const [key, times] of groups) {
    // A stream an existing absence rule already watches is left to it, not pooled into another.
    const watcher = coveringRule(
      ctx.rules,
      {
        name: key,
        kind: "absence",
        window: "1h",
        where: `${field} == ${JSON.stringify(key)}`,
        groupBy: field,
        expect: [key],
        severity: "warning",
        enabled: true,
      },
      ctx.business.fields,
    );
    if (watcher) {
      watched.set(watcher.name, [...(watched.get(watcher.name) ?? []), key]);
      continue;
    }
    const gaps = gapsOf(times, zone, end);
    if (gaps.size < MIN_STREAM_GAPS) sparse.push(key);
    else streams.push({ key, times, typical: gaps.median });
  }
  for (const [name, keys] of watched) {
    findings.notes.push({
      subject: `${field}: ${preview(keys.sort())}: arrivals`,
      reason: `already covered by rule “${name}”`,
    });
  }
  if (sparse.length) {
    findings.notes.push({
      subject: sparse.length === 1 ? `${sparse[0]}: arrivals` : `${field}: ${sparse.length} values`,
      reason: `${sparse.length === 1 ? "" : `${preview(sparse)}: each has `}fewer than ${MIN_STREAM_GAPS} gaps between events in active time; a stream needs at least ${MIN_STREAM_GAPS} to show its rhythm`,
    });
  }
  const clusters = similarRhythms(streams).sort((a, b) => b.length - a.length);
  for (const [i, members] of clusters.entries()) {
    if (i >= MAX_RHYTHM_DRAFTS) {
      findings.notes.push({
        subject: `${field}: ${members.map((m) => m.key).join(", ")}`,
        reason: `more than ${MAX_RHYTHM_DRAFTS} different rhythms; only the largest groups are suggested`,
      });
      continue;
    }
    const draft = absenceDraft(
      ctx,
      members,
      { field, all: [...groups.keys()] },
      end,
      findings.notes,
    );
    if (draft) findings.drafts.push(draft);
  }
  return findings;
}

/**
 * One absence rule for streams of a similar rhythm, if the history holds
 * enough of it: several days (the daily cycle), enough gaps, and at least
 * MIN_CYCLES windows. Otherwise a note says what is missing.
 */
function absenceDraft(
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
function preview(keys: string[]): string {
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
