import { z } from "@hono/zod-openapi";

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", { description: "RFC 9457 problem details" });

export const Timestamp = z
  .string()
  .openapi({ format: "date-time", example: "2026-11-24T10:00:00.000Z" });

/** Field names are identifiers, so rules can name them in expressions. */
export const FieldName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
    "must start with a letter or _ and contain only letters, digits and _ (at most 64)",
  )
  .refine((n) => !["__proto__", "constructor", "prototype"].includes(n), "is a reserved name");

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const Timezone = z
  .string()
  .max(64)
  .refine(isValidTimezone, "is not an IANA time zone (e.g. Europe/Berlin)")
  .openapi({ example: "Europe/Berlin" });

export const IdParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: "path" }, example });

export const Cursor = z
  .string()
  .max(200)
  .optional()
  .openapi({ description: "nextCursor of the previous page" });
export const Limit = z.coerce.number().int().min(1).max(500).default(50);

export const listOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
