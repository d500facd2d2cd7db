import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActiveTime, cronPattern } from "../../../workers/business/engine/active";
import { localTime, periodOf } from "../../../workers/business/engine/calendar";

const H = 3_600_000;
const berlin = "Europe/Berlin";

describe("calendar periods", () => {
  it("gives Berlin's spring-forward day 23 hours and its fall-back day 25", () => {
    const spring = periodOf(Date.parse("2026-03-29T12:00:00Z"), "day", berlin);
    expect(new Date(spring.start).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(spring.end).toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(spring.end - spring.start).toBe(23 * H);

    const fall = periodOf(Date.parse("2026-10-25T12:00:00Z"), "day", berlin);
    expect(new Date(fall.start).toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(fall.end - fall.start).toBe(25 * H);
  });

  it("puts the minutes around the DST switch into the right day", () => {
    // 01:59 and 03:00 local on 29 March are the same day; 23:59 local the day before is not.
    const day = periodOf(Date.parse("2026-03-29T00:59:00Z"), "day", berlin);
    expect(periodOf(Date.parse("2026-03-29T01:00:00Z"), "day", berlin)).toEqual(day);
    expect(periodOf(Date.parse("2026-03-28T22:59:00Z"), "day", berlin).end).toBe(day.start);
  });

  it("starts weeks on Monday and months on the 1st, in local time", () => {
    const week = periodOf(Date.parse("2026-11-26T10:00:00Z"), "week", berlin);
    expect(new Date(week.start).toISOString()).toBe("2026-11-22T23:00:00.000Z");
    expect(week.end - week.start).toBe(7 * 24 * H);
    const october = periodOf(Date.parse("2026-10-15T10:00:00Z"), "month", berlin);
    expect(new Date(october.start).toISOString()).toBe("2026-09-30T22:00:00.000Z");
    expect(new Date(october.end).toISOString()).toBe("2026-10-31T23:00:00.000Z");
  });

  it("always holds the instant, and its start is local midnight (any zone, any time)", () => {
    const zones = [
      "UTC",
      berlin,
      "America/New_York",
      "Australia/Lord_Howe",
      "Asia/Kolkata",
      "Pacific/Chatham",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") }),
        fc.constantFrom(...zones),
        fc.constantFrom("day" as const, "week" as const, "month" as const),
        (ms, zone, period) => {
          const p = periodOf(ms, period, zone);
          expect(p.start).toBeLessThanOrEqual(ms);
          expect(p.end).toBeGreaterThan(ms);
          const start = localTime(p.start, zone);
          expect([start.hour, start.minute]).toEqual([0, 0]);
          if (period === "week") expect(start.weekday).toBe(1);
          if (period === "month") expect(start.day).toBe(1);
          expect(periodOf(p.end, period, zone).start).toBe(p.end);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("active schedules", () => {
  it("turns days and hours into a cron pattern", () => {
    expect(cronPattern({ days: ["mon", "fri", "sun"], hours: "06-22" })).toBe("* 6-21 * * 1,5,0");
    expect(cronPattern({ hours: "08-18" })).toBe("* 8-17 * * *");
    expect(cronPattern("* 6-21 * * 1-5")).toBe("* 6-21 * * 1-5");
  });

  it("counts only active time toward a window", () => {
    const active = new ActiveTime({ hours: "06-22" }, berlin);
    // Friday 21:50 Berlin (20:50Z): 10 minutes left today, 10 more from 06:00 Saturday.
    const from = Date.parse("2026-11-27T20:50:00Z");
    expect(new Date(active.deadline(from, 20 * 60_000)).toISOString()).toBe(
      "2026-11-28T05:10:00.000Z",
    );
    expect(active.isActive(Date.parse("2026-11-28T02:00:00Z"))).toBe(false);
  });

  it("skips weekends when only weekdays are active", () => {
    const weekdays = new ActiveTime({ days: ["mon", "tue", "wed", "thu", "fri"] }, berlin);
    const friday = Date.parse("2026-11-27T22:30:00Z"); // 23:30 Friday in Berlin
    expect(new Date(weekdays.deadline(friday, 60 * 60_000)).toISOString()).toBe(
      "2026-11-29T23:30:00.000Z",
    );
  });

  it("is always active without a schedule", () => {
    const always = new ActiveTime(undefined, berlin);
    expect(always.deadline(1000, 5000)).toBe(6000);
  });
});
