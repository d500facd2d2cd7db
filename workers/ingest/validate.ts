import { z } from "zod";
import type { Business, Field } from "../../schema/contracts/businesses";
import type { EventValue } from "../../schema/contracts/events";
import type { FieldError } from "../lib/errors";
import { parseTime, parseTimestamp } from "../lib/time";
import type { RawEvent } from "./body";
import { compileCheck } from "./check";
import {
  MAX_FUTURE_MS,
  MAX_KEY_LENGTH,
  MAX_KEYS_PER_EVENT,
  MAX_PAST_MS,
  MAX_PAST_YEARS,
  MAX_STRING_LENGTH,
} from "./limits";

const timestamp = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  const result = parseTime(v);
  if (!result.ok) ctx.addIssue({ code: "custom", message: result.message });
});

const tooLong = `must be at most ${MAX_STRING_LENGTH} characters`;

function fieldSchema(field: Field): z.ZodType {
  switch (field.type) {
    case "string":
      return z.string().max(MAX_STRING_LENGTH, tooLong);
    case "number":
      return z.number();
    case "integer":
      return z.number().int();
    case "boolean":
      return z.boolean();
    case "timestamp":
      return timestamp;
    case "enum":
      return z.enum(field.values as [string, ...string[]]);
  }
}

/** Undeclared fields, where a business allows them, are flat JSON values. */
const unknownValue = z.union([
  z.string().max(MAX_STRING_LENGTH, tooLong),
  z.number(),
  z.boolean(),
  z.null(),
]);
const reserved = new Set(["__proto__", "constructor", "prototype"]);

export type Validated =
  | { ok: true; time: number; data: Record<string, EventValue> }
  | { ok: false; errors: FieldError[] };
export type Validator = (raw: RawEvent, receivedAt: number) => Validated;

/** The business's fields as one zod schema: the reference for what an event may hold, and its error messages. */
function eventSchema(business: Business): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const f of business.fields) {
    const schema = fieldSchema(f);
    // A missing optional field may also be sent as null.
    shape[f.name] = f.required ? schema : schema.nullish();
  }
  if (!(business.timeField in shape)) shape[business.timeField] = timestamp.nullish();
  return business.allowUnknownFields
    ? z.object(shape).catchall(unknownValue)
    : z.strictObject(shape);
}

/**
 * Compiles a business's fields into one event validator. A plain check
 * (check.ts) passes the valid events; only an event it refuses goes through
 * the zod schema, which names the problems. `fast: false` validates with the
 * schema alone (the reference the tests hold the check to).
 */
export function compileValidator(business: Business, { fast = true } = {}): Validator {
  const schema = eventSchema(business);
  const check = fast ? compileCheck(business) : () => false;

  return (raw, receivedAt) => {
    if (!raw.ok)
      return { ok: false, errors: [{ path: raw.path ?? "(event)", message: raw.message }] };
    const value = raw.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { ok: false, errors: [{ path: "(event)", message: "an event is a JSON object" }] };
    }
    const keys = Object.keys(value);
    if (keys.length > MAX_KEYS_PER_EVENT) {
      return {
        ok: false,
        errors: [{ path: "(event)", message: `has more than ${MAX_KEYS_PER_EVENT} fields` }],
      };
    }
    // The common case, every name short and none reserved, allocates nothing.
    if (keys.every((k) => k.length <= MAX_KEY_LENGTH && !reserved.has(k)))
      return checked(value, receivedAt);
    const long = keys.filter((k) => k.length > MAX_KEY_LENGTH);
    if (long.length > 0) {
      return {
        ok: false,
        errors: long.map((k) => ({
          path: `${k.slice(0, 32)}…`,
          message: `field name is ${k.length} characters long; at most ${MAX_KEY_LENGTH}`,
        })),
      };
    }
    const bad = keys.filter((k) => reserved.has(k));
    if (bad.length > 0)
      return { ok: false, errors: bad.map((k) => ({ path: k, message: "is a reserved name" })) };
    return checked(value, receivedAt);
  };

  function checked(value: object, receivedAt: number): Validated {
    if (!check(value as Record<string, unknown>)) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) return { ok: false, errors: toErrors(parsed.error.issues, value) };
    }

    // The schema admits only scalar values, so the event is flat.
    const data = value as Record<string, EventValue>;
    const stated = data[business.timeField];
    const time =
      stated === undefined || stated === null ? receivedAt : (parseTimestamp(stated) ?? receivedAt);
    if (time < receivedAt - MAX_PAST_MS) {
      const message = `is more than ${MAX_PAST_YEARS} years in the past`;
      return { ok: false, errors: [{ path: business.timeField, message }] };
    }
    if (time > receivedAt + MAX_FUTURE_MS) {
      const message = `is more than ${MAX_FUTURE_MS / 60_000} minutes in the future`;
      return { ok: false, errors: [{ path: business.timeField, message }] };
    }
    return { ok: true, time, data };
  }
}

function toErrors(issues: readonly z.core.$ZodIssue[], event: object): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join(".") || "(event)";
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        errors.push({ path: key, message: "is not a field of this business" });
    } else if (
      (issue.code === "invalid_type" || issue.code === "invalid_value") &&
      !Object.hasOwn(event, path)
    ) {
      // A missing enum is an `invalid_value` to zod; either way the field is simply absent.
      errors.push({ path, message: "is required" });
    } else {
      errors.push({ path, message: issue.message.replace(/^Invalid (input|option): /, "") });
    }
  }
  return errors;
}
