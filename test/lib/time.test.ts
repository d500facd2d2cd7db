import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TIME_MS, parseTime, parseTimeParam } from "../../workers/lib/time";

const ms = (v: unknown) => {
  const r = parseTime(v);
  return r.ok ? r.ms : r.message;
};

describe("the time parser", () => {
  it("accepts RFC 3339 with Z, offsets, lower-case t and fractions", () => {
    expect(ms("2026-11-24T10:00:00Z")).toBe(Date.UTC(2026, 10, 24, 10));
    expect(ms("2026-11-24t10:00:00z")).toBe(Date.UTC(2026, 10, 24, 10));
    expect(ms("2026-11-24T12:30:00+02:30")).toBe(Date.UTC(2026, 10, 24, 10));
    expect(ms("2026-11-24T10:00:00.123456789-00:00")).toBe(Date.UTC(2026, 10, 24, 10, 0, 0, 123));
    expect(ms("2028-02-29T00:00:00Z")).toBe(Date.UTC(2028, 1, 29));
    expect(ms("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
  });

  it("refuses impossible calendar dates and clock times instead of rolling them over", () => {
    for (const [text, message] of [
      ["2026-02-30T12:00:00Z", /no day 30 in 2026-02/],
      ["2026-02-29T12:00:00Z", /no day 29 in 2026-02/],
      ["1900-02-29T12:00:00Z", /no day 29/],
      ["2026-04-31T12:00:00Z", /no day 31 in 2026-04/],
      ["2026-13-01T12:00:00Z", /no month 13/],
      ["2026-00-10T12:00:00Z", /no month 00/],
      ["2026-01-00T12:00:00Z", /no day 00/],
      ["2026-11-24T24:00:00Z", /hour 24/],
      ["2026-11-24T10:60:00Z", /minute 60/],
      ["2026-11-24T10:00:60Z", /second 60/],
      ["2026-11-24T10:00:00+24:00", /offset/],
    ] as const) {
      expect(ms(text), text).toMatch(message);
    }
  });

  it("refuses other shapes: no zone, date only, words, too long", () => {
    for (const text of [
      "2026-11-24T10:00:00",
      "2026-11-24",
      "yesterday",
      "2026-11-24T10:00Z",
      "+02026-11-24T10:00:00Z",
      `2026-11-24T10:00:00.${"1".repeat(40)}Z`,
    ]) {
      expect(parseTime(text).ok, text).toBe(false);
    }
  });

  it("takes epoch milliseconds between 1970 and 9999 and explains epoch seconds", () => {
    expect(ms(0)).toBe(0);
    expect(ms(MAX_TIME_MS)).toBe(MAX_TIME_MS);
    expect(ms(MAX_TIME_MS + 1)).toMatch(/between 1970-01-01 and 9999-12-31/);
    expect(ms(-1)).toMatch(/between/);
    expect(ms(8_700_000_000_000_000)).toMatch(/between/);
    expect(ms(1_764_240_000)).toMatch(/looks like epoch seconds/);
    expect(ms(1_764_240_000.5)).toMatch(/looks like epoch seconds/);
    expect(ms(1.5)).toMatch(/whole numbers/);
    expect(ms(Number.NaN)).toMatch(/RFC 3339/);
    expect(ms(true)).toMatch(/RFC 3339/);
  });

  it("reads query parameters: digits as milliseconds, text as RFC 3339", () => {
    expect(parseTimeParam("1764000000000")).toEqual({ ok: true, ms: 1_764_000_000_000 });
    expect(parseTimeParam("9007199254740991").ok).toBe(false);
    expect(parseTimeParam("2026-11-24T10:00:00Z")).toEqual({
      ok: true,
      ms: Date.UTC(2026, 10, 24, 10),
    });
    expect(parseTimeParam("-5").ok).toBe(false);
  });

  it("agrees with Date for every valid instant it formats", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TIME_MS }), (t) => {
        expect(parseTime(new Date(t).toISOString())).toEqual({ ok: true, ms: t });
      }),
      { seed: 12, numRuns: 500 },
    );
  });

  it("never accepts a string whose calendar fields Date would roll over", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1970, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (y, m, d) => {
          const text = `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T00:00:00Z`;
          const r = parseTime(text);
          if (r.ok) expect(new Date(r.ms).toISOString().slice(0, 10)).toBe(text.slice(0, 10));
        },
      ),
      { seed: 12, numRuns: 500 },
    );
  });
});
