import { describe, expect, it } from "vitest";
import { coalesceThreshold, markBusy, shouldCoalesce } from "../../workers/ingest/coalesce";
import { PerSecond } from "../../workers/lib/rate";

describe("PerSecond", () => {
  it("counts this second, remembers the previous one, and forgets after a gap", () => {
    const r = new PerSecond();
    expect(r.count(10_000)).toBe(1);
    expect(r.count(10_500)).toBe(2);
    expect(r.count(10_999)).toBe(3);
    // The next second starts at 1 but the rate keeps the previous second's 3.
    expect(r.count(11_000)).toBe(3);
    for (let i = 0; i < 3; i++) r.count(11_100 + i);
    expect(r.count(11_900)).toBe(5);
    // A quiet second in between: the old count no longer applies.
    expect(r.count(13_000)).toBe(1);
  });
});

describe("choosing the coalesced path", () => {
  it("coalesces a business above the rate, and for a while after its object said it is busy", () => {
    const now = 1_000_000;
    const business = `bus_rate_${Math.random()}`;
    expect(shouldCoalesce(business, now, 2)).toBe(false);
    expect(shouldCoalesce(business, now + 1, 2)).toBe(false);
    expect(shouldCoalesce(business, now + 2, 2)).toBe(true);
    // Two quiet seconds later the rate is low again.
    expect(shouldCoalesce(business, now + 3_000, 2)).toBe(false);
    markBusy(business, now + 3_000);
    expect(shouldCoalesce(business, now + 3_001, 1_000)).toBe(true);
    expect(shouldCoalesce(business, now + 13_001, 1_000)).toBe(false);
  });

  it("reads the threshold setting: a number, or off", () => {
    expect(coalesceThreshold("100")).toBe(100);
    expect(coalesceThreshold("0")).toBe(0);
    expect(coalesceThreshold("off")).toBe(Number.POSITIVE_INFINITY);
    expect(coalesceThreshold(undefined)).toBe(Number.POSITIVE_INFINITY);
    expect(coalesceThreshold("many")).toBe(Number.POSITIVE_INFINITY);
  });
});
