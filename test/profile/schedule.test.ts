import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantOf } from "../../workers/business/engine/calendar";
import { activityOf, describeSchedule, scheduleOf } from "../../workers/profile/schedule";

const ZONE = "Europe/Berlin";
const DAY = 86_400_000;
const MIN = 60_000;

/** Events every `every` minutes, 06–22 local, on the given days after Monday 2026-03-02 (0 = that Monday). */
function businessHours(days: number[], every = 15): number[] {
  const times: number[] = [];
  for (const d of days) {
    const open = instantOf(ZONE, 2026, 3, 2 + d, 6);
    const close = instantOf(ZONE, 2026, 3, 2 + d, 22);
    for (let t = open; t < close; t += every * MIN) times.push(t);
  }
  return times;
}

function profileOf(times: number[]) {
  return activityOf(times, ZONE, times[0] ?? 0, times.at(-1) ?? 0);
}

describe("activity profiles", () => {
  it("calls weekends quiet after two weeks of weekdays, with the working hours", () => {
    const a = profileOf(businessHours([0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18]));
    expect(a.weekKnown).toBe(true);
    expect(scheduleOf(a)).toEqual({ days: ["mon", "tue", "wed", "thu", "fri"], hours: "06-22" });
    expect(describeSchedule(a)).toBe(" on weekdays 06–22");
  });

  it("leaves the week unknown after four days, whichever four", () => {
    for (const days of [
      [0, 1, 2, 3],
      [1, 2, 3, 4],
    ]) {
      const a = profileOf(businessHours(days));
      expect(a.weekKnown).toBe(false);
      expect(scheduleOf(a)).toEqual({ hours: "06-22" });
      expect(describeSchedule(a)).toMatch(
        /^ 06–22; weekly pattern unknown \([34] days\), so every day$/,
      );
    }
  });

  it("tells nothing about the hours from less than several days", () => {
    const a = profileOf(businessHours([0, 1]));
    expect(a.dayKnown).toBe(false);
    expect(scheduleOf(a)).toBeUndefined();
  });

  it("judges no working hours for a stream sparser than hourly", () => {
    const start = instantOf(ZONE, 2026, 3, 2, 2);
    const times = Array.from({ length: 4 * 7 * 4 }, (_, i) => start + i * 6 * 3_600_000);
    const a = profileOf(times);
    expect(a.weekKnown).toBe(true);
    expect(a.hours).toEqual([0, 24]);
    expect(scheduleOf(a)).toBeUndefined();
  });

  it("never calls a weekday quiet that the history covered fewer than twice", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 180 }),
        (first, length, every) => {
          const days = Array.from({ length }, (_, i) => first + i);
          const a = profileOf(businessHours(days, every));
          expect(a.days.every(Boolean)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("keeps every weekday of a stream active every day, however long the history", () => {
    fc.assert(
      fc.property(fc.integer({ min: 14, max: 40 }), (length) => {
        const start = instantOf(ZONE, 2026, 3, 2, 0);
        const times = Array.from({ length: length * 24 }, (_, i) => start + i * 3_600_000);
        const a = activityOf(times, ZONE, start, start + length * DAY);
        expect(scheduleOf(a)).toBeUndefined();
      }),
      { numRuns: 10 },
    );
  });
});
