/**
 * Calendar periods (day, week, month) in a time zone, with Intl only. A period
 * runs from one local midnight to the next, so a DST day is 23 or 25 hours long.
 */
export type Period = "day" | "week" | "month";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
}

const weekdayNumber: Record<string, number> = {
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
  Sun: 7,
};

export function localTime(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdayNumber[parts.weekday ?? ""] ?? 1,
  };
}

/** Offset of the zone from UTC at an instant, in ms (Berlin in summer: +2h). */
export function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local wall-clock time (month 1-12; day may overflow, Date.UTC normalises it). */
export function instantOf(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
): number {
  const guess = Date.UTC(year, month - 1, day, hour);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return second;
}

/** Start (inclusive) and end (exclusive) of the period holding `ms`. */
export function periodOf(
  ms: number,
  period: Period,
  timeZone: string,
): { start: number; end: number } {
  const t = localTime(ms, timeZone);
  switch (period) {
    case "day":
      return {
        start: instantOf(timeZone, t.year, t.month, t.day),
        end: instantOf(timeZone, t.year, t.month, t.day + 1),
      };
    case "week": {
      const monday = t.day - (t.weekday - 1);
      return {
        start: instantOf(timeZone, t.year, t.month, monday),
        end: instantOf(timeZone, t.year, t.month, monday + 7),
      };
    }
    case "month":
      return {
        start: instantOf(timeZone, t.year, t.month, 1),
        end: instantOf(timeZone, t.year, t.month + 1, 1),
      };
  }
}

/** `14:05` in the zone, for summaries a person reads. */
export function clock(ms: number, timeZone: string): string {
  const t = localTime(ms, timeZone);
  return `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
}

/** `2026-11-24` in the zone. */
export function localDate(ms: number, timeZone: string): string {
  const t = localTime(ms, timeZone);
  return `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`;
}

const offsets = new Map<string, number>();

/** Local hour (fractional), weekday (0 = Monday) and date (days since 1970) of an instant; the zone's offset is cached per quarter hour. */
export function localSlot(
  ms: number,
  timeZone: string,
): { hour: number; day: number; date: number } {
  const slot = `${timeZone}\n${Math.floor(ms / 900_000)}`;
  let offset = offsets.get(slot);
  if (offset === undefined) {
    offset = offsetAt(ms, timeZone);
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(slot, offset);
  }
  const local = ms + offset;
  const dayMs = 86_400_000;
  const days = Math.floor(local / dayMs);
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return { hour: (local - days * dayMs) / 3_600_000, day: (((days + 3) % 7) + 7) % 7, date: days };
}
