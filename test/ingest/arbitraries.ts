import fc from "fast-check";

/** A value a field of this type accepts: timestamps within the day before `now`. */
export function validValue(
  f: { type: string; values?: string[] | undefined },
  now: number,
): fc.Arbitrary<unknown> {
  switch (f.type) {
    case "string":
      return fc.string({ maxLength: 40, unit: "grapheme" });
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case "integer":
      return fc.integer();
    case "boolean":
      return fc.boolean();
    case "timestamp":
      return fc.oneof(
        fc.integer({ min: now - 86_400_000, max: now }),
        fc.integer({ min: now - 86_400_000, max: now }).map((ms) => new Date(ms).toISOString()),
      );
    default:
      return fc.constantFrom(...(f.values ?? []));
  }
}
