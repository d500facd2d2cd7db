import type { ActiveSchedule } from "../../schema/contracts/rules";
import { weekdays } from "../../schema/contracts/rules";
import { localSlot } from "../business/engine/anomaly";
import { humanDuration } from "../business/engine/summary";
import { durationText, niceDuration, Sample } from "./stats";
import type { Context, Draft, Findings } from "./types";
import { isoOf, MIN_GAPS } from "./types";

/** The most groups one field may split into for per-group suggestions. */
const MAX_GROUPS = 50;

interface Activity {
  /** Weekdays (0 = Monday) with events. */
  days: boolean[];
  /** Local hours [from, to) with events on active days. */
  hours: [number, number];
}

/**
 * When a stream is active: a weekday counts when it had events on at least half
 * of its occurrences in the span; an hour when it had events on at least half of
 * the active days. Quiet nights and weekends become an active schedule.
 */
export function activityOf(times: number[], zone: string, from: number, to: number): Activity {
  const occurrences = new Array(7).fill(0);
  for (let d = localSlot(from, zone).date; d <= localSlot(to, zone).date; d++) {
    occurrences[(((d + 3) % 7) + 7) % 7] += 1;
  }
  const datesByDay = Array.from({ length: 7 }, () => new Set<number>());
  const datesByHour = Array.from({ length: 24 }, () => new Set<number>());
  for (const t of times) {
    const s = localSlot(t, zone);
    datesByDay[s.day]?.add(s.date);
    datesByHour[Math.floor(s.hour)]?.add(s.date);
  }
  const days = datesByDay.map(
    (dates, d) => dates.size > 0 && dates.size >= (occurrences[d] ?? 0) / 2,
  );
  const activeDates = new Set<number>();
  datesByDay.forEach((dates, d) => {
    if (days[d]) for (const date of dates) activeDates.add(date);
  });
  let first = 24;
  let last = -1;
  datesByHour.forEach((dates, h) => {
    let n = 0;
    for (const date of dates) if (activeDates.has(date)) n++;
    if (n >= activeDates.size / 2 && n > 0) {
      first = Math.min(first, h);
      last = Math.max(last, h);
    }
  });
  return { days, hours: last < 0 ? [0, 24] : [first, last + 1] };
}

function scheduleOf(a: Activity): ActiveSchedule | undefined {
  const allDays = a.days.every(Boolean);
  const allHours = a.hours[0] === 0 && a.hours[1] === 24;
  if (allDays && allHours) return undefined;
  const schedule: { days?: (typeof weekdays)[number][]; hours?: string } = {};
  if (!allDays) schedule.days = weekdays.filter((_, i) => a.days[i]);
  if (!allHours)
    schedule.hours = `${String(a.hours[0]).padStart(2, "0")}-${String(a.hours[1]).padStart(2, "0")}`;
  return schedule;
}

function describeSchedule(a: Activity): string {
  const parts: string[] = [];
  const on = a.days.map((x, i) => (x ? i : -1)).filter((i) => i >= 0);
  if (on.length < 7) {
    const names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    parts.push(
      on.join() === "0,1,2,3,4" ? "on weekdays" : `on ${on.map((i) => names[i]).join(", ")}`,
    );
  }
  if (a.hours[0] !== 0 || a.hours[1] !== 24)
    parts.push(`${String(a.hours[0]).padStart(2, "0")}–${String(a.hours[1]).padStart(2, "0")}`);
  return parts.length ? ` ${parts.join(" ")}` : "";
}

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

interface Rhythm {
  key: string;
  times: number[];
  activity: Activity;
  gaps: Sample;
}

function rhythmOf(key: string, times: number[], ctx: Context): Rhythm {
  const zone = ctx.business.timezone;
  const activity = activityOf(times, zone, times[0] ?? ctx.history.from, ctx.history.to);
  return { key, times, activity, gaps: new Sample(activeGaps(times, activity, zone)) };
}

/** How irregular a stream's arrivals are: p90 over median of its gaps (1 is a metronome). */
function irregularity(r: Rhythm): number {
  return r.gaps.size < MIN_GAPS
    ? Number.POSITIVE_INFINITY
    : r.gaps.q(0.9) / Math.max(r.gaps.median, 1);
}

/** The times of events per value of a field, for string and enum fields with a few values. */
export function groupsOf(ctx: Context, field: string): Map<string, number[]> | undefined {
  const groups = new Map<string, number[]>();
  for (const e of ctx.history.events) {
    const v = e.data[field];
    if (typeof v !== "string") continue;
    let times = groups.get(v);
    if (!times) {
      if (groups.size >= MAX_GROUPS * 4) return undefined;
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
export function chooseGroupField(ctx: Omit<Context, "groupField">): string | undefined {
  const whole = rhythmOf(
    "",
    ctx.history.events.map((e) => e.time),
    { ...ctx, groupField: undefined },
  );
  let best: { field: string; score: number } | undefined;
  for (const f of ctx.business.fields) {
    if (f.type !== "string" && f.type !== "enum") continue;
    const groups = groupsOf({ ...ctx, groupField: undefined }, f.name);
    if (!groups || groups.size > MAX_GROUPS) continue;
    const scores = [...groups]
      .filter(([, times]) => times.length > MIN_GAPS)
      .map(([key, times]) => irregularity(rhythmOf(key, times, { ...ctx, groupField: undefined })))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (scores.length < 2) continue;
    const score = scores[Math.floor(scores.length / 2)] ?? Number.POSITIVE_INFINITY;
    if (!best || score < best.score) best = { field: f.name, score };
  }
  // Split when the streams are regular on their own and no less regular than the whole:
  // then each can be watched for silence, which the whole would hide.
  if (best && best.score <= 4 && best.score <= 1.5 * irregularity(whole)) return best.field;
  return undefined;
}

/** Absence suggestions from the arrival rhythm: per group when there is a group field. */
export function rhythmFindings(ctx: Context): Findings {
  const findings: Findings = { drafts: [], notes: [] };
  const streams: [string, number[]][] = ctx.groupField
    ? [...(groupsOf(ctx, ctx.groupField) ?? new Map<string, number[]>())]
    : [["", ctx.history.events.map((e) => e.time)]];
  for (const [key, times] of streams) {
    const label = key || ctx.business.name;
    const r = rhythmOf(key, times, ctx);
    if (r.gaps.size < MIN_GAPS) {
      findings.notes.push({
        subject: `${label}: arrivals`,
        reason: `only ${r.gaps.size} gaps between events in active time; the rhythm needs at least ${MIN_GAPS}`,
      });
      continue;
    }
    const typical = r.gaps.median;
    const p95 = r.gaps.q(0.95);
    if (p95 > 10 * Math.max(typical, 1000)) {
      findings.notes.push({
        subject: `${label}: arrivals`,
        reason: `too irregular for an absence window (typically ${humanDuration(niceDuration(typical))}, but p95 ${humanDuration(niceDuration(p95))})`,
      });
      continue;
    }
    const window = niceDuration(Math.max(p95 * 1.1, r.gaps.q(0.99)));
    const schedule = scheduleOf(r.activity);
    const alerts = r.gaps.sorted.filter((g) => g > window).length;
    const rule = {
      name: key ? `${key} arrives every ${exact(typical)}` : `Events keep arriving`,
      kind: "absence" as const,
      window: durationText(window),
      severity: "warning" as const,
      enabled: true,
      ...(key && ctx.groupField
        ? {
            where: `${ctx.groupField} == ${JSON.stringify(key)}`,
            groupBy: ctx.groupField,
            expect: [key],
          }
        : {}),
      ...(schedule ? { active: schedule } : {}),
    };
    const draft: Draft = {
      fingerprint: "",
      rule,
      rationale: `${label}: typically every ${exact(typical)} (p95 ${exact(p95)})${describeSchedule(r.activity)}. Alert if no event for more than ${humanDuration(window)}.`,
      evidence: {
        sampleSize: r.gaps.size,
        unit: "gaps",
        from: isoOf(times[0] ?? ctx.history.from),
        to: isoOf(times.at(-1) ?? ctx.history.to),
        backtest: {
          alerts,
          days: Math.round((ctx.history.to - (times[0] ?? ctx.history.from)) / 86_400_000),
        },
        gapMs: {
          p50: typical,
          p90: r.gaps.q(0.9),
          p95,
          p99: r.gaps.q(0.99),
          max: r.gaps.sorted.at(-1) ?? 0,
        },
        windowMs: window,
        ...(schedule ? { active: schedule } : {}),
      },
    };
    findings.drafts.push(draft);
  }
  return findings;
}

/** A gap as a person says it: `15 min`, `17 min`, `40 s`. */
function exact(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Number((ms / 3_600_000).toFixed(1))} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
