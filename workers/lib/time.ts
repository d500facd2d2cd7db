/**
 * The one time parser of the code base: event times, timestamp fields and time
 * query parameters all go through `parseTime`. It accepts exactly two forms:
 * RFC 3339 date-times (calendar fields checked, never rolled over) and epoch
 * milliseconds between 1970-01-01 and 9999-12-31.
 */

/** Epoch milliseconds to RFC 3339 in UTC; null stays null. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** The earliest and latest time accepted anywhere (1970-01-01 and the end of 9999). */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = 253_402_300_799_999;
/** The longest RFC 3339 text accepted (nanosecond fraction and an offset). */
export const MAX_TIME_TEXT = 35;

export const TIME_FORMAT_MESSAGE = "must be an RFC 3339 time or epoch milliseconds";
const SECONDS_MESSAGE =
  "looks like epoch seconds; send epoch milliseconds or an RFC 3339 time (e.g. 2026-11-24T10:00:00Z)";
const RANGE_MESSAGE = "must be between 1970-01-01 and 9999-12-31";

export type TimeResult = { ok: true; ms: number } | { ok: false; message: string };

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch seconds of today (10 digits) read as milliseconds land in January 1970;
 * real event times there are implausible, so the caller is told what happened.
 */
const looksLikeSeconds = (n: number) => n >= 1e9 && n < 1e11;

function fromNumber(n: number): TimeResult {
  if (!Number.isFinite(n)) return { ok: false, message: TIME_FORMAT_MESSAGE };
  if (looksLikeSeconds(n)) return { ok: false, message: SECONDS_MESSAGE };
  if (!Number.isInteger(n)) return { ok: false, message: "epoch milliseconds are whole numbers" };
  if (n < MIN_TIME_MS || n > MAX_TIME_MS) return { ok: false, message: RANGE_MESSAGE };
  return { ok: true, ms: n };
}

function fromText(text: string): TimeResult {
  const m = text.length <= MAX_TIME_TEXT ? rfc3339.exec(text) : null;
  if (!m) return { ok: false, message: TIME_FORMAT_MESSAGE };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return { ok: false, message: `has no month ${m[2]}` };
  if (day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, message: `has no day ${m[3]} in ${m[1]}-${m[2]}` };
  }
  if (hour > 23) return { ok: false, message: `hour ${m[4]} is out of range (00-23)` };
  if (minute > 59) return { ok: false, message: `minute ${m[5]} is out of range (00-59)` };
  if (second > 59) {
    return {
      ok: false,
      message: `second ${m[6]} is out of range (00-59; leap seconds are not supported)`,
    };
  }
  let offsetMs = 0;
  if (!m[8]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59)
      return { ok: false, message: `offset ${m[9]}${m[10]}:${m[11]} is out of range` };
    offsetMs = (m[9] === "-" ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not move years 0-99 into the 1900s.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const ms = date.getTime() - offsetMs;
  if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) return { ok: false, message: RANGE_MESSAGE };
  return { ok: true, ms };
}

/** An event value or body property: an RFC 3339 string or epoch milliseconds (a number). */
export function parseTime(value: unknown): TimeResult {
  if (typeof value === "number") return fromNumber(value);
  if (typeof value === "string") return fromText(value);
  return { ok: false, message: TIME_FORMAT_MESSAGE };
}

/** A query parameter: digits are epoch milliseconds, anything else must be RFC 3339. */
export function parseTimeParam(text: string): TimeResult {
  if (/^\d{1,20}$/.test(text)) return fromNumber(Number(text));
  return fromText(text);
}

/** `parseTime` as a number, or undefined when the value is not a time. */
export function parseTimestamp(value: unknown): number | undefined {
  const result = parseTime(value);
  return result.ok ? result.ms : undefined;
}
