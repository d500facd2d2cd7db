import { describe, expect, it } from "vitest";
import { byRule, fairFirst } from "../../app/lib/alert-groups";
import { timeTicks } from "../../app/lib/format";
import { humaneErrors, humaneMessage, humaneStatus } from "../../app/lib/humane";

describe("what the UI shows", () => {
  it("chart ticks: the 24-hour clock in the business's zone, the day where it changes, days alone for wide steps", () => {
    const hour = 3_600_000;
    // 21:00 UTC on 26 Nov is 22:00 in Berlin; 02:00 in Berlin is the next day.
    const start = Date.parse("2026-11-26T21:00:00Z");
    const ticks = [0, 2, 4, 6].map((i) => start + i * hour);
    expect(timeTicks(ticks, "Europe/Berlin", 2 * hour)).toEqual([
      "26 Nov\n22:00",
      "27 Nov\n00:00",
      "02:00",
      "04:00",
    ]);
    expect(timeTicks(ticks, "UTC", 2 * hour)[0]).toBe("26 Nov\n21:00");
    expect(timeTicks([start, start + 86_400_000], "America/New_York", 86_400_000)).toEqual([
      "26 Nov",
      "27 Nov",
    ]);
    for (const t of timeTicks(ticks, "America/New_York", hour)) expect(t).not.toMatch(/am|pm/i);
  });

  it("API refusals in plain words: schema and checker messages, statuses without a field", () => {
    expect(humaneMessage("Too small: expected string to have >=1 characters")).toBe(
      "cannot be empty",
    );
    expect(humaneMessage("Invalid input: expected string, received undefined")).toBe("is required");
    expect(humaneMessage('Invalid option: expected one of "info"|"warning"|"critical"')).toBe(
      "must be one of info, warning, critical",
    );
    expect(humaneMessage("unknown field 'amount'")).toBe(
      "there is no field “amount” in this business",
    );
    expect(humaneMessage("Unexpected token: EOF (at column 13)")).toBe(
      "is not finished: something is missing at the end",
    );
    expect(humaneMessage("no such overload: double > string (at column 12)")).toBe(
      "cannot use > between a number and a text (at character 12)",
    );
    expect(humaneStatus(403)).toMatch(/^Your role may not change this/);
    expect(humaneStatus(429)).toMatch(/^Too many requests/);
    expect(humaneStatus(503)).toMatch(/^Anom could not do this just now/);
    expect(humaneStatus(409, "Alert 'alt_1' is already resolved.")).toBe(
      "This alert is already resolved.",
    );
    expect(humaneStatus(422, "expression: unknown field 'amount'")).toBe(
      "Expression: there is no field “amount” in this business",
    );
    expect(
      humaneErrors(
        {
          status: 422,
          errors: [{ path: "name", message: "Too big: expected string to have <=200 characters" }],
        },
        "x",
      ),
    ).toEqual([{ path: "name", message: "is too long: at most 200 characters" }]);
    expect(humaneErrors({ status: 404, detail: "Rule 'rul_1' does not exist." }, "rule")).toEqual([
      { path: "rule", message: expect.stringMatching(/^This no longer exists/) },
    ]);
  });

  it("the dashboard's open alerts: worst first, and one business's storm leaves room for the others", () => {
    const alert = (businessId: string, ruleId: string, severity: string, minute: number) => ({
      id: `${businessId}-${ruleId}-${minute}`,
      businessId,
      ruleId,
      severity,
      status: "open",
      openedAt: new Date(Date.UTC(2026, 10, 27, 12, 60 - minute)).toISOString(),
    });
    // Newest first: twelve rules of the fridges, then one alert each of two others.
    const newest = [
      ...Array.from({ length: 12 }, (_, i) => alert("fridges", `r${i}`, "warning", i)),
      alert("bank", "late", "warning", 20),
      alert("shop", "down", "critical", 30),
    ];
    const shown = fairFirst(byRule(newest), 5).map((g) => g[0]?.businessId);
    expect(shown).toEqual(["shop", "fridges", "bank", "fridges", "fridges"]);
    expect(fairFirst(byRule(newest), 20)).toHaveLength(14);
  });
});
