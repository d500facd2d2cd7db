import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import { type BusinessCreate, createRule, ingest, type RuleCreate } from "../helpers";
import { allAlerts, fleet, objectsOf, ruleOf, settleAll } from "./support";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Four days of one fleet-wide reading every 10 minutes, each from the next of eight devices. */
function fleetHistory() {
  const series = labelledSeries({
    type: "none",
    seed: 11,
    start: Date.now() - 4 * DAY,
    points: 4 * 144,
    level: 5,
    daily: 1.5,
    noise: 0.3,
  });
  return series.points.map((p, i) => ({ timestamp: p.time, device: `D${i % 8}`, value: p.value }));
}

/** What a rule learnt in the object that runs it, as stored. */
async function learnt(businessId: string, shards: number, table: string, ruleId: string) {
  const objects = objectsOf(businessId, shards);
  const runner = objects.at(-1);
  if (!runner) throw new Error("no object");
  return runInDurableObject(runner, (_o, state) =>
    state.storage.sql
      .exec(`select * from ${table} where rule_id = ? order by group_key`, ruleId)
      .toArray()
      .map(({ rule_id: _, ...row }) => row),
  );
}

/**
 * The same rule created on a 1-shard and a 4-shard business after the same
 * events, once settled; what it learnt must be the same in both.
 */
async function sideBySide(
  events: Record<string, unknown>[],
  rule: RuleCreate,
  table: string,
  more: Partial<BusinessCreate> = {},
) {
  const sides = [];
  for (const shards of [1, 4]) {
    const { business, token } = await fleet(shards, more);
    expect((await ingest(business.id, token, events)).status).toBe(202);
    await settleAll(business.id, shards);
    const created = await createRule(business.id, rule);
    await settleAll(business.id, shards);
    const status = (await ruleOf(business.id, created.id)).status;
    const state = await learnt(business.id, shards, table, created.id);
    sides.push({ business, token, shards, rule: created, status, state });
  }
  // What the rule learnt is the same, row for row, in the coordinator and in the one object.
  const [one, four] = sides;
  expect(four?.state).toEqual(one?.state);
  return { sides, learnt: one?.state ?? [] };
}

describe("a rule that spans keys learns from the shards' history", () => {
  it("an anomaly rule created after four days learns the same baseline as on one object", async () => {
    const { sides, learnt } = await sideBySide(
      fleetHistory(),
      { name: "Odd fleet", kind: "anomaly", field: "value" },
      "anomaly",
    );
    for (const side of sides) {
      expect(side.status, `${side.shards} shards`).toEqual({
        history: "ready",
        groups: 1,
        warmingUp: 0,
      });
    }
    expect(learnt).toHaveLength(1);
    for (const side of sides) {
      await ingest(side.business.id, side.token, [{ device: "D3", value: 25 }]);
      await settleAll(side.business.id, side.shards);
      const alerts = await allAlerts(side.business.id);
      expect(
        alerts.map((a) => [a.status, a.summary.match(/value = 25 is unusual/) !== null]),
      ).toEqual([["open", true]]);
    }
  }, 60_000);

  it("an aggregate created mid-day counts the day's earlier events, as on one object", async () => {
    const now = Date.now();
    const dayStart = now - (now % DAY);
    const morning = Array.from({ length: 10 }, (_, i) => ({
      timestamp: dayStart + Math.floor(((now - dayStart) * i) / 20),
      device: `D${i}`,
      value: 100,
    }));
    const { sides, learnt } = await sideBySide(
      morning,
      { name: "Overspend", kind: "aggregate", expression: "sum(value) > 1500", window: "day" },
      "agg",
    );
    expect(learnt.length).toBeGreaterThan(0);
    for (const side of sides) {
      expect(side.status).toEqual({ history: "ready" });
      expect(await allAlerts(side.business.id)).toEqual([]);
      // 1,000 this morning and 600 now: over 1,500 (the 600 alone is not).
      await ingest(side.business.id, side.token, [{ device: "D42", value: 600 }]);
      await settleAll(side.business.id, side.shards);
      const alerts = await allAlerts(side.business.id);
      expect(
        alerts.map((a) => a.status),
        `${side.shards} shards`,
      ).toEqual(["open"]);
      expect(alerts[0]?.summary).toMatch(/1,?600/);
    }
  }, 60_000);

  it("an absence rule per site knows each site's last event, as on one object", async () => {
    const events = [
      { timestamp: Date.now() - 2 * HOUR, device: "D1", site: "QUIET", value: 1 },
      { timestamp: Date.now() - 2 * HOUR + 1, device: "D2", site: "QUIET", value: 1 },
      { timestamp: Date.now() - MIN, device: "D3", site: "BUSY", value: 1 },
      { timestamp: Date.now() - MIN + 1, device: "D4", site: "BUSY", value: 1 },
    ];
    const { sides, learnt } = await sideBySide(
      events,
      { name: "Silent site", kind: "absence", window: "1h", groupBy: "site" },
      "last_seen",
    );
    expect(learnt.map((r) => r.group_key)).toEqual(["BUSY", "QUIET"]);
    for (const side of sides) {
      const alerts = await allAlerts(side.business.id);
      expect(
        alerts.map((a) => [a.groupKey, a.status]),
        `${side.shards} shards`,
      ).toEqual([["QUIET", "open"]]);
    }
  }, 60_000);
});
