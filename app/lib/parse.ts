import type { z } from "zod";
import type { FieldError } from "../../workers/lib/errors";
import { issuesToErrors } from "../../workers/lib/errors";
import { humaneMessage } from "./humane";

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/**
 * A form's body checked against the API's own contract schema before it is
 * sent: the typed client gets a typed body (no casts), and what the schema
 * refuses comes back per field, in the plain words the UI uses for the API's refusals.
 */
export function parse<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(body);
  return result.success
    ? { ok: true, data: result.data }
    : {
        ok: false,
        errors: issuesToErrors(result.error.issues).map((e) => ({
          path: e.path,
          message: humaneMessage(e.message),
        })),
      };
}
