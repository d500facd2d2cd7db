import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JobContext } from "../../workers/business/jobs";
import type { HeldDefinition } from "../../workers/business/loader";
import { startReplay } from "../../workers/business/replay";
import { type Gather, gatherFromShards, replayAcross } from "../../workers/business/shards/replay";
import { shardOf } from "../../workers/business/shards/route";
import { createRule, ingest } from "../helpers";
import { fleet, objectsOf, pushNow, ruleOf, settleAll } from "./support";

/**
 * The coordinator's replay of a rule that spans keys, one step at a time in a
 * known order: the alarm would run it at once, so the tests plan it by hand
 * and run the step themselves, with a gather that lets events in between.
 */

const HOUR = 3_600_000;

const definitionOf = (o: unknown) => (o as { definition: HeldDefinition }).definition;

/** The first device name the edge sends to shard `k` of 4. */
function deviceOn(k: number): string {
  for (let i = 0; ; i++) if (shardOf(`X${i}`, 4) === k) return `X${i}`;
}

const batch = (device: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ device, value: i, timestamp: Date.now() - i }));

/**
 * A 4-shard business with a fleet-wide count that has counted 20 events live,
 * then starts afresh in the coordinator: its state goes and its replay is
 * planned but not run.
 */
async function countingFleet() {
  const { business, token } = await fleet(4);
  const id = business.id;
  const objects = objectsOf(id, 4);
  const coordinator = objects[4] as DurableObjectStub;
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
  /** What the coordinator holds for the rule: the count, held-back rows, cuts in force. */
  const counted = () =>
    runInDurableObject(coordinator, (_o, state) => {
      const one = (q: string) => state.storage.sql.exec<{ n: number }>(q, rule.id).one().n;
      return {
        n: one(`select coalesce(sum(n), 0) as n from agg where rule_id = ?`),
        backlog: one(`select count(*) as n from span_backlog where rule_id = ?`),
        cuts: one(`select count(*) as n from span_cuts where rule_id = ?`),
      };
    });
  expect(await counted()).toEqual({ n: 20, backlog: 0, cuts: 0 });
  await runInDurableObject(coordinator, async (o, state) => {
    const engine = await definitionOf(o).load(id);
    state.storage.transactionSync(() => {
      state.storage.sql.exec(`delete from agg where rule_id = ?`, rule.id);
      engine.state.buckets.dropRule(rule.id);
      startReplay(state.storage.sql, [rule.id], { version: engine.business.version });
    });
    engine.pause([rule.id]);
  });
  /** One replay step in the coordinator; `meanwhile` runs after the shards answered. */
  const step = (meanwhile: (o: unknown, state: DurableObjectState) => Promise<void>) =>
    runInDurableObject(coordinator, async (o, state) => {
      const engine = await definitionOf(o).load(id);
      const ctx = (o as unknown as { jobContext: (e: typeof engine) => JobContext }).jobContext(
        engine,
      );
      const gather: Gather = async (...asked) => {
        const parts = await gatherFromShards(ctx)(...asked);
        await meanwhile(o, state);
        return parts;
      };
      return replayAcross(ctx, Date.now(), gather);
    });
  // A stub made where it is used: one made outside an object's callback cannot be used inside it.
  const shard = (k: number) => objectsOf(id, 4)[k] as DurableObjectStub;
  return {
    id,
    token,
    rule,
    counted,
    step,
    shard,
    coordinator: () => objectsOf(id, 4)[4] as DurableObjectStub,
  };
}

describe("the coordinator's replay, step by step", () => {
  it("counts events that arrive while it replays exactly once, before and after each shard's cut", async () => {
    const { id, token, rule, counted, step, shard } = await countingFleet();
    const [a, b, c] = [deviceOn(1), deviceOn(2), deviceOn(3)];
    expect((await ruleOf(id, rule.id)).status).toMatchObject({ history: "replaying" });

    // Before the cut, pushed while it replays: held back, then dropped (the history has them).
    expect((await ingest(id, token, batch(a, 5))).status).toBe(202);
    await settleAll(id, 4);
    expect(await counted()).toMatchObject({ n: 0, backlog: 1 });
    // Before the cut, pushed only after the replay: left out by the shard's cut. Stored
    // through the shard's own call, its push held an hour, so no alarm hands it over first.
    await runInDurableObject(shard(2), async (o, state) => {
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
      const later = Date.now() + HOUR;
      state.storage.sql.exec(`update schedule set due = ? where kind = 'shard-push'`, later);
      await state.storage.setAlarm(later);
    });

    const more = await step(async () => {
      // After the cut, pushed while it replays: taken from the backlog.
      expect((await ingest(id, token, batch(c, 4))).status).toBe(202);
      await pushNow(shard(3));
    });
    expect(more).toBe(false);
    expect(await counted()).toEqual({ n: 20 + 5 + 3 + 4, backlog: 0, cuts: 1 });
    expect((await ruleOf(id, rule.id)).status).toEqual({ history: "ready" });

    // Shard 2's rows before its cut arrive now: counted once, and the cut is done with.
    await pushNow(shard(2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 32, backlog: 0, cuts: 0 });
    // Live again: each new event counts.
    await ingest(id, token, [...batch(a, 1), ...batch(b, 1)]);
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 34, backlog: 0, cuts: 0 });
  }, 60_000);

  it("starts over when the definition is reloaded while the shards answer, and the rule still goes live", async () => {
    const { id, token, rule, counted, step, coordinator } = await countingFleet();
    const more = await step(async (o, state) => {
      // A rule change, or an eviction, loads the definition again: the step's engine is
      // no longer the one live items reach. The alarm the load plans is put off, so the
      // step below is the one that finds out.
      definitionOf(o).drop();
      await definitionOf(o).load(id);
      await state.storage.deleteAlarm();
    });
    expect(more).toBe(true);
    expect(await counted()).toMatchObject({ n: 0 });
    expect((await ruleOf(id, rule.id)).status).toMatchObject({ history: "replaying" });
    // The alarm's next step, with the definition now held, puts it live.
    await runInDurableObject(coordinator(), (_o, state) => state.storage.setAlarm(Date.now()));
    await settleAll(id, 4);
    expect((await ruleOf(id, rule.id)).status).toEqual({ history: "ready" });
    expect(await counted()).toEqual({ n: 20, backlog: 0, cuts: 0 });
    await ingest(id, token, batch(deviceOn(1), 2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 22, backlog: 0, cuts: 0 });
  }, 60_000);
});
