import type { Business, Field } from "../../schema/contracts/businesses";
import { parseTime } from "../lib/time";
import { MAX_STRING_LENGTH } from "./limits";

/**
 * A plain accept/reject check of one event's values, compiled once per
 * definition version from closures (no code generation, so it runs in
 * workerd). It accepts only what the business's zod schema accepts; on
 * `false` the caller runs the schema for the errors (validate.ts), so the
 * answers stay the schema's, word for word (test/ingest/validate.test.ts).
 */
export type EventCheck = (event: Record<string, unknown>) => boolean;

type ValueCheck = (v: unknown) => boolean;

const isString: ValueCheck = (v) => typeof v === "string" && v.length <= MAX_STRING_LENGTH;
const isNumber: ValueCheck = (v) => typeof v === "number" && Number.isFinite(v);
const isInteger: ValueCheck = (v) => typeof v === "number" && Number.isSafeInteger(v);
const isBoolean: ValueCheck = (v) => typeof v === "boolean";
const isTime: ValueCheck = (v) =>
  (typeof v === "string" || typeof v === "number") && parseTime(v).ok;
/** An undeclared field's value, where a business allows them: a flat JSON value. */
const isFlat: ValueCheck = (v) => v === null || isString(v) || isNumber(v) || isBoolean(v);

function valueCheck(field: Field): ValueCheck {
  switch (field.type) {
    case "string":
      return isString;
    case "number":
      return isNumber;
    case "integer":
      return isInteger;
    case "boolean":
      return isBoolean;
    case "timestamp":
      return isTime;
    case "enum": {
      const values = new Set<unknown>(field.values);
      return (v) => values.has(v);
    }
  }
}

interface Slot {
  name: string;
  required: boolean;
  check: ValueCheck;
}

export function compileCheck(business: Business): EventCheck {
  const slots: Slot[] = business.fields.map((f) => ({
    name: f.name,
    required: f.required,
    check: valueCheck(f),
  }));
  if (!business.fields.some((f) => f.name === business.timeField)) {
    slots.push({ name: business.timeField, required: false, check: isTime });
  }
  const declared = new Set(slots.map((s) => s.name));
  const allowUnknown = business.allowUnknownFields;
  return (event) => {
    // Read as the schema reads them (`event[name]`), so an absent field is judged alike.
    for (const slot of slots) {
      const v = event[slot.name];
      if (v === undefined || v === null) {
        if (slot.required) return false;
      } else if (!slot.check(v)) return false;
    }
    // Every field present and valid: the other keys are undeclared ones.
    for (const key in event) {
      if (declared.has(key)) continue;
      if (!allowUnknown || !isFlat(event[key])) return false;
    }
    return true;
  };
}
