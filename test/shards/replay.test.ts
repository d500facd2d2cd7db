import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import type { JobContext } from "../../workers/business/jobs";
import type { HeldDefinition } from "../../workers/business/loader";
import { startReplay } from "../../workers/business/replay";
import { gatherFromShards, replayAcross } from "../../workers/business/shards/replay";
import { shardOf } from "../../workers/business/shards/route";
import {
  api,
  type BusinessCreate,
  bodyOf,
  businessWithSource,
  createRule,
  ingest,
  type RuleCreate,
  send,
} from "../helpers";
import { allAlerts, objectsOf, settleAll } from "./support";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A fleet of devices, on one object or spread over four shards by device. */
const fleet = (shards: number, more: Partial<BusinessCreate> = {}) =>
  businessWithSource({
    timezone: "UTC",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "device", type: "string", required: true },
      { name: "site", type: "string" },
      { name: "value", type: "number", required: true },
    ],
    ...(shards > 1 ? { shards, shardKey: "device" } : {}),
    ...more,
  });

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

async function ruleOf(businessId: string, ruleId: string) {
  const rule = api.v1.businesses[":id"].rules[":ruleId"];
  return bodyOf(await send(rule.$get({ param: { id: businessId, ruleId } })), 200);
}

/** A shard hands its outbox to the coordinator now (its push job is due a second after a batch). */
async function pushNow(shard: DurableObjectStub) {
  await runInDurableObject(shard, (_o, state) => {
    state.storage.sql.exec(`update schedule set due = 0 where kind = 'shard-push'`);
  });
  await runDurableObjectAlarm(shard);
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

/** The same rule on a 1-shard and a 4-shard business with the same events, once settled. */
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
  return sides;
}

describe("a rule that spans keys learns from the shards' history", () => {
  it("an anomaly rule created after four days learns the same baseline as on one object", async () => {
    const sides = await sideBySide(
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
    const [one, four] = sides;
    expect(four?.state).toEqual(one?.state);
    expect(four?.state).toHaveLength(1);
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
    const sides = await sideBySide(
      morning,
      { name: "Overspend", kind: "aggregate", expression: "sum(value) > 1500", window: "day" },
      "agg",
    );
    const [one, four] = sides;
    expect(four?.state).toEqual(one?.state);
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
    const sides = await sideBySide(
      events,
      { name: "Silent site", kind: "absence", window: "1h", groupBy: "site" },
      "last_seen",
    );
    const [one, four] = sides;
    expect(four?.state).toEqual(one?.state);
    expect(four?.state.map((r) => r.group_key)).toEqual(["BUSY", "QUIET"]);
    for (const side of sides) {
      const alerts = await allAlerts(side.business.id);
      expect(
        alerts.map((a) => [a.groupKey, a.status]),
        `${side.shards} shards`,
      ).toEqual([["QUIET", "open"]]);
    }
  }, 60_000);

  it("counts events that arrive while the coordinator replays exactly once, before and after each shard's cut", async () => {
    const { business, token } = await fleet(4);
    const id = business.id;
    const [coordinator] = objectsOf(id, 4).slice(-1);
    const shard = (k: number) => objectsOf(id, 4)[k];
    if (!coordinator) throw new Error("no coordinator");
    // A device on each of three different shards.
    const deviceOn = (k: number): string => {
      for (let i = 0; ; i++) if (shardOf(`X${i}`, 4) === k) return `X${i}`;
    };
    const [a, b, c] = [deviceOn(1), deviceOn(2), deviceOn(3)];
    const batch = (device: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ device, value: i, timestamp: Date.now() - i }));
    const rule = await createRule(id, {
      name: "Fleet count",
      kind: "aggregate",
      expression: "count() > 100000",
      window: "1h",
    });
    await settleAll(id, 4);
    const history = Array.from({ length: 20 }, (_, i) => ({ device: `D${i}`, value: i }));
    expect((await ingest(id, token, history)).status).toBe(202);
    await settleAll(id, 4);
    const counted = () =>
      runInDurableObject(coordinator, (_o, state) => {
        const sql = state.storage.sql;
        const one = (q: string) => sql.exec<{ n: number }>(q, rule.id).one().n;
        return {
          n: one(`select coalesce(sum(n), 0) as n from agg where rule_id = ?`),
          backlog: one(`select count(*) as n from span_backlog where rule_id = ?`),
          cuts: one(`select count(*) as n from span_cuts where rule_id = ?`),
        };
      });
    expect(await counted()).toEqual({ n: 20, backlog: 0, cuts: 0 });

    // The rule starts afresh in the coordinator: its state goes and a replay is planned, held
    // here (the alarm would run it at once) so the steps below happen in a known order.
    const definitionOf = (o: unknown) => (o as { definition: HeldDefinition }).definition;
    await runInDurableObject(coordinator, async (o, state) => {
      const engine = await definitionOf(o).load(id);
      state.storage.transactionSync(() => {
        state.storage.sql.exec(`delete from agg where rule_id = ?`, rule.id);
        engine.state.buckets.dropRule(rule.id);
        startReplay(state.storage.sql, [rule.id], { version: engine.business.version });
      });
      engine.pause([rule.id]);
    });
    expect((await ruleOf(id, rule.id)).status).toMatchObject({ history: "replaying" });

    // Before the cut, pushed while it replays: held back, then dropped (the history has them).
    expect((await ingest(id, token, batch(a, 5))).status).toBe(202);
    await settleAll(id, 4);
    expect(await counted()).toMatchObject({ n: 0, backlog: 1 });
    // Before the cut, pushed after the replay ended: left out by the shard's cut.
    const shardB = shard(2);
    if (!shardB) throw new Error("no shard 2");
    await runInDurableObject(shardB, async (o, state) => {
      const events = batch(b, 3).map(({ timestamp, ...data }) => ({ time: timestamp, data }));
      const monitor = o as unknown as { ingest: (batch: unknown) => Promise<unknown> };
      await monitor.ingest({
        businessId: id,
        version: 0,
        sourceId: "test",
        receivedAt: Date.now(),
        events,
        rejected: [],
      });
      state.storage.sql.exec(
        `update schedule set due = ? where kind = 'shard-push'`,
        Date.now() + HOUR,
      );
      await state.storage.setAlarm(Date.now() + HOUR);
    });

    await runInDurableObject(coordinator, async (o) => {
      const definition = definitionOf(o);
      const engine = await definition.load(id);
      const ctx = (o as unknown as { jobContext: (e: typeof engine) => JobContext }).jobContext(
        engine,
      );
      const more = await replayAcross(ctx, Date.now(), async (version, limit) => {
        const parts = await gatherFromShards(ctx)(version, limit);
        // After the cut, pushed while it replays: taken from the backlog.
        expect((await ingest(id, token, batch(c, 4))).status).toBe(202);
        const shardC = shard(3);
        if (!shardC) throw new Error("no shard 3");
        await pushNow(shardC);
        return parts;
      });
      expect(more).toBe(false);
    });
    expect(await counted()).toEqual({ n: 20 + 5 + 3 + 4, backlog: 0, cuts: 1 });
    expect((await ruleOf(id, rule.id)).status).toEqual({ history: "ready" });

    // Shard 2's rows before its cut arrive now: counted once, and the cut is done with.
    await pushNow(shardB);
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 32, backlog: 0, cuts: 0 });
    // Live again: each new event counts.
    await ingest(id, token, [...batch(a, 1), ...batch(b, 1)]);
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 34, backlog: 0, cuts: 0 });
  }, 60_000);
});
