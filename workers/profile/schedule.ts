import type { ActiveSchedule } from "../../schema/contracts/rules";
import { weekdays } from "../../schema/contracts/rules";
import { localSlot } from "../business/engine/calendar";
import { DAY } from "./types";

/** A weekday can be called quiet only after this many of its occurrences were seen. */
const MIN_WEEKDAY_OCCURRENCES = 2;
/** Fewer days than this say nothing about the hours of the day (several daily cycles). */
export const DAILY_CYCLE_DAYS = 3;
/** Fewer days than this say nothing about the days of the week (two of each weekday). */
export const WEEKLY_CYCLE_DAYS = 7 * MIN_WEEKDAY_OCCURRENCES;
/** A weekday or an hour is active when it had events on at least this share of its days. */
const ACTIVE_SHARE = 0.5;
/** Share of the hours between the first and the last active one that must be active themselves. */
const HOURS_FILLED = 0.8;

/** When a stream is active, and how much history stands behind that. */
export interface Activity {
  /** Weekdays (0 = Monday) counted as active; all of them when the week is not known. */
  days: boolean[];
  /** Local hours [from, to) counted as active; the whole day when the day is not known. */
  hours: [number, number];
  /** Days between the first and the last event considered. */
  spanDays: number;
  /** Enough days to tell quiet weekdays (two of each) and quiet hours (several days). */
  weekKnown: boolean;
  dayKnown: boolean;
  /** Share of each weekday's occurrences with events (null: not seen). */
  dayShare: (number | null)[];
}

const weekdayOf = (date: number) => (((date + 3) % 7) + 7) % 7;

/**
 * A robust activity profile: the share of each weekday's occurrences, over the
 * covered period `[from, to]`, on which the stream had events, and the share of
 * its active days with events in each local hour. A weekday is called quiet
 * only when it occurred at least twice in the period (two weeks) and had events
 * on fewer than half of its occurrences; an hour only after several days.
 * Weekdays the history never covered are unknown, never quiet.
 */
export function activityOf(times: number[], zone: string, from: number, to: number): Activity {
  const spanDays = Math.max(0, to - from) / DAY;
  const first = localSlot(from, zone).date;
  const last = localSlot(to, zone).date;
  const occurrences = new Array(7).fill(0);
  for (let d = first; d <= last; d++) occurrences[weekdayOf(d)] += 1;
  const datesByDay = Array.from({ length: 7 }, () => new Set<number>());
  const datesByHour = Array.from({ length: 24 }, () => new Set<number>());
  for (const t of times) {
    const s = localSlot(t, zone);
    datesByDay[s.day]?.add(s.date);
    datesByHour[Math.floor(s.hour)]?.add(s.date);
  }
  const weekKnown = spanDays >= WEEKLY_CYCLE_DAYS;
  const dayKnown = spanDays >= DAILY_CYCLE_DAYS;
  const dayShare = datesByDay.map((dates, d) =>
    occurrences[d] ? dates.size / (occurrences[d] as number) : null,
  );
  const days = dayShare.map(
    (share, d) =>
      !weekKnown ||
      (occurrences[d] ?? 0) < MIN_WEEKDAY_OCCURRENCES ||
      (share !== null && share >= ACTIVE_SHARE),
  );
  // Everything but a stream active on no day at all: then the profile says nothing.
  if (!days.some(Boolean)) days.fill(true);
  const activeDates = new Set<number>();
  datesByDay.forEach((dates, d) => {
    if (days[d]) for (const date of dates) activeDates.add(date);
  });
  let firstHour = 24;
  let lastHour = -1;
  let activeHours = 0;
  if (dayKnown) {
    datesByHour.forEach((dates, h) => {
      let n = 0;
      for (const date of dates) if (activeDates.has(date)) n++;
      if (n > 0 && n >= activeDates.size * ACTIVE_SHARE) {
        activeHours += 1;
        firstHour = Math.min(firstHour, h);
        lastHour = Math.max(lastHour, h);
      }
    });
  }
  // A sparse stream (every 6 h) shows its phase, not its working hours: hours are judged
  // only when the stream has events in nearly every hour between its first and last active
  // one, and several events in such a window.
  const window = lastHour - firstHour + 1;
  if (
    lastHour >= 0 &&
    (activeHours < HOURS_FILLED * window || medianGap(times) > (window * 3_600_000) / 4)
  ) {
    lastHour = -1;
  }
  return {
    days,
    hours: lastHour < 0 ? [0, 24] : [firstHour, lastHour + 1],
    spanDays,
    weekKnown,
    dayKnown,
    dayShare,
  };
}

export function scheduleOf(a: Activity): ActiveSchedule | undefined {
  const allDays = a.days.every(Boolean);
  const allHours = a.hours[0] === 0 && a.hours[1] === 24;
  if (allDays && allHours) return undefined;
  const schedule: { days?: (typeof weekdays)[number][]; hours?: string } = {};
  if (!allDays) schedule.days = weekdays.filter((_, i) => a.days[i]);
  if (!allHours)
    schedule.hours = `${String(a.hours[0]).padStart(2, "0")}-${String(a.hours[1]).padStart(2, "0")}`;
  return schedule;
}

/** ` on weekdays 06–22`, or what is not known yet: `; weekly pattern unknown (4 days), so every day`. */
export function describeSchedule(a: Activity): string {
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
  let text = parts.length ? ` ${parts.join(" ")}` : "";
  if (!a.weekKnown) {
    text += `; weekly pattern unknown (${Math.round(a.spanDays)} day${Math.round(a.spanDays) === 1 ? "" : "s"}), so every day`;
  }
  return text;
}

/** The median time between consecutive events (sorted times). */
function medianGap(times: number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] ?? Number.POSITIVE_INFINITY;
}
