import { Temporal } from "temporal-polyfill";
import type { Business, Field } from "../../schema/contracts/businesses";
import type { EventValue } from "../../schema/contracts/events";
import { compileValidator } from "../../workers/ingest/validate";
import type { FieldError } from "../../workers/lib/errors";

/**
 * Turning what a person typed or a file holds into events: one conversion per
 * field type, times without an offset read in the business's zone, then the
 * API's own validator (`workers/ingest/validate.ts`), so a row's problems are
 * worded before sending exactly as the API words them after.
 */

export type Event = Record<string, EventValue>;
export type Converted =
  | { ok: true; value: EventValue | undefined }
  | { ok: false; message: string };

const WALL = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?$/;
const OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** A wall-clock date (and time) in `zone` as RFC 3339 in UTC; null when the text is not one. */
export function zonedToIso(text: string, zone: string): string | null {
  const m = WALL.exec(text.trim());
  if (!m) return null;
  try {
    const local = Temporal.PlainDateTime.from(`${m[1]}T${m[2] ?? "00:00"}`, { overflow: "reject" });
    // In a DST gap the later wall time is taken (a clock set forward skips it), as calendars do.
    return local.toZonedDateTime(zone, { disambiguation: "compatible" }).toInstant().toString();
  } catch {
    return null;
  }
}

/** Now as the value of a `datetime-local` input in `zone` (minutes). */
export function nowInZone(zone: string, now = Date.now()): string {
  return Temporal.Instant.fromEpochMilliseconds(now)
    .toZonedDateTimeISO(zone)
    .toPlainDateTime()
    .toString({ smallestUnit: "minute" });
}

const TRUE = /^(true|yes|y|1|on)$/i;
const FALSE = /^(false|no|n|0|off)$/i;

/** One cell or input as a value of `field`; `undefined`: left empty (the field is then absent). */
export function convert(field: Field, cell: unknown, zone: string): Converted {
  if (cell === undefined || cell === null) return { ok: true, value: undefined };
  if (typeof cell === "object") return { ok: false, message: "is not a single value" };
  if (typeof cell !== "string") {
    // NDJSON values keep their JSON type; the validator judges them.
    return { ok: true, value: cell as EventValue };
  }
  const text = cell.trim();
  if (text === "") return { ok: true, value: undefined };
  switch (field.type) {
    case "number":
    case "integer": {
      const n = Number(text);
      if (!Number.isFinite(n)) return { ok: false, message: `“${clip(text)}” is not a number` };
      if (field.type === "integer" && !Number.isInteger(n))
        return { ok: false, message: `“${clip(text)}” is not a whole number` };
      return { ok: true, value: n };
    }
    case "boolean":
      if (TRUE.test(text)) return { ok: true, value: true };
      if (FALSE.test(text)) return { ok: true, value: false };
      return { ok: false, message: `“${clip(text)}” is not yes or no (true or false)` };
    case "enum": {
      const values = field.values ?? [];
      const found = values.find((v) => v === text) ?? values.find((v) => sameName(v, text));
      if (found === undefined)
        return { ok: false, message: `“${clip(text)}” is not one of ${values.join(", ")}` };
      return { ok: true, value: found };
    }
    case "timestamp": {
      if (/^\d{10,13}$/.test(text)) return { ok: true, value: Number(text) };
      if (OFFSET.test(text)) return { ok: true, value: text };
      const at = zonedToIso(text, zone);
      if (at === null)
        return {
          ok: false,
          message: `“${clip(text)}” is not a date and time (YYYY-MM-DD HH:MM, in ${zone}, or RFC 3339)`,
        };
      return { ok: true, value: at };
    }
    case "string":
      return { ok: true, value: cell };
  }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
const sameName = (a: string, b: string) => norm(a) === norm(b);

/** Field name → the column it is read from ("" = not read; the field stays empty). */
export type Mapping = Record<string, string>;

const TIME_COLUMNS = ["date", "time", "datetime", "timestamp", "when", "bookingdate"];

/** Each field read from the column of the same name (case, spaces and `_` aside); the time field also from `date`, `time`…. */
export function autoMap(business: Business, columns: string[]): Mapping {
  const mapping: Mapping = {};
  for (const f of business.fields) {
    let column = columns.find((c) => sameName(c, f.name));
    if (column === undefined && f.name === business.timeField)
      column = columns.find((c) => TIME_COLUMNS.includes(norm(c)));
    mapping[f.name] = column ?? "";
  }
  return mapping;
}

export interface Checked {
  event: Event;
  errors: FieldError[];
}

/** A business's check of one row: its fields converted through the mapping, then the API's validator. */
export function rowChecker(business: Business, mapping: Mapping) {
  const validate = compileValidator(business);
  const read = business.fields
    .map((field) => ({ field, column: mapping[field.name] ?? "" }))
    .filter((m) => m.column !== "");
  return (row: Record<string, unknown>, now = Date.now()): Checked => {
    const event: Event = {};
    const errors: FieldError[] = [];
    for (const { field, column } of read) {
      const c = convert(field, row[column], business.timezone);
      if (!c.ok) errors.push({ path: field.name, message: c.message });
      else if (c.value !== undefined) event[field.name] = c.value;
    }
    if (errors.length) return { event, errors };
    const result = validate({ ok: true, value: event }, now);
    return { event, errors: result.ok ? [] : result.errors };
  };
}

/** An API problem's path for one event (`0.amount`, `events.0.amount`) as the field's name. */
export function fieldOf(path: string): string {
  return path.replace(/^(events\.)?\d+\./, "");
}
