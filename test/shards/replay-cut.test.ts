import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { JobContext } from "../../workers/business/jobs";
import type { HeldDefinition } from "../../workers/business/loader";
import { startReplay } from "../../workers/business/replay";
import { type Gather, gatherFromShards, replayAcross } from "../../workers/business/shards/replay";
import { shardOf } from "../../workers/business/shards/route";
import { createRule, ingest, patchRule, type RuleCreate } from "../helpers";
import { allAlerts, fleet, objectsOf, pushNow, ruleOf, settleAll } from "./support";

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

const FLEET_COUNT: RuleCreate = {
  name: "Fleet count",
  kind: "aggregate",
  expression: "count() > 100000",
  window: "1h",
};

/** Twenty events of twenty devices, a second apart, the newest now. */
const history = () =>
  Array.from({ length: 20 }, (_, i) => ({
    device: `D${i}`,
    value: i,
    timestamp: Date.now() - (20 - i) * 1000,
  }));

/**
 * A 4-shard business with a fleet-wide aggregate that has counted 20 events
 * live, then starts afresh in the coordinator: its state goes and its replay
 * is planned but not run. The tests' replay reads 8 events a step
 * (SPAN_REPLAY_STEP_EVENTS in vitest.config.ts): 2 per shard.
 */
async function countingFleet(ruleCreate: RuleCreate = FLEET_COUNT, past = history()) {
  const { business, token } = await fleet(4);
  const id = business.id;
  const objects = objectsOf(id, 4);
  const coordinator = objects[4] as DurableObjectStub;
  const rule = await createRule(id, ruleCreate);
  await settleAll(id, 4);
  expect((await ingest(id, token, past)).status).toBe(202);
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
  const step = (
    meanwhile: (o: unknown, state: DurableObjectState) => Promise<void> = async () => {},
  ) =>
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
  /** The rule's status after each further step, until the pass ends. */
  const stepsToEnd = async () => {
    const seen = [];
    for (let more = true; more; ) {
      more = await step();
      seen.push((await ruleOf(id, rule.id)).status);
    }
    return seen;
  };
  return {
    id,
    token,
    rule,
    counted,
    step,
    stepsToEnd,
    shard,
    coordinator: () => objectsOf(id, 4)[4] as DurableObjectStub,
  };
}

/**
 * `n` events stored through shard `k`'s own call, its push held an hour, so
 * no alarm hands them to the coordinator until the test does.
 */
async function storeUnpushed(
  businessId: string,
  shard: DurableObjectStub,
  device: string,
  n: number,
) {
  await runInDurableObject(shard, async (o, state) => {
    const events = batch(device, n).map(({ timestamp, ...data }) => ({ time: timestamp, data }));
    const monitor = o as unknown as { ingest: (batch: unknown) => Promise<unknown> };
    await monitor.ingest({
      businessId,
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
}

/** What a fleet-wide rule learnt, row by row, in the object that runs it. */
const learnt = (runner: DurableObjectStub, ruleId: string) =>
  runInDurableObject(runner, (_o, state) =>
    state.storage.sql
      .exec(`select * from agg where rule_id = ? order by group_key, bucket`, ruleId)
      .toArray()
      .map(({ rule_id: _, ...row }) => row),
  );

/** Replaying counts grow step by step, then the rule is ready. */
function expectCountingUp(
  seen: ({ history: string; replayedEvents?: number } | undefined)[],
  total: number,
) {
  const counts = seen.flatMap((s) => (s?.history === "replaying" ? [s.replayedEvents ?? 0] : []));
  expect(seen.at(-1)).toEqual({ history: "ready" });
  expect(seen.slice(0, -1).every((s) => s?.history === "replaying")).toBe(true);
  for (const [i, n] of counts.entries()) expect(n).toBeGreaterThan(counts[i - 1] ?? 0);
  expect(counts.at(-1) ?? 0).toBeLessThan(total);
}

describe("the coordinator's replay, step by step", () => {
  it("counts events that arrive while it replays exactly once, before and after each shard's cut, over several steps", async () => {
    const { id, token, rule, counted, step, stepsToEnd, shard } = await countingFleet();
    const [a, b, c] = [deviceOn(1), deviceOn(2), deviceOn(3)];
    expect((await ruleOf(id, rule.id)).status).toMatchObject({ history: "replaying" });

    // Before the cut, pushed while it replays: held back, then dropped (the history has them).
    expect((await ingest(id, token, batch(a, 5))).status).toBe(202);
    await settleAll(id, 4);
    expect(await counted()).toMatchObject({ n: 0, backlog: 1 });
    // Before the cut, pushed only after the replay: left out by the shard's cut.
    await storeUnpushed(id, shard(2), b, 3);

    const more = await step(async () => {
      // After the cut and past every shard's bound, pushed during the first step: from the backlog.
      expect((await ingest(id, token, batch(c, 4))).status).toBe(202);
      await pushNow(shard(3));
    });
    // 28 events of history, at most 8 a step: the first step replays some.
    expect(more).toBe(true);
    const first = await counted();
    expect(first.n).toBeGreaterThan(0);
    expect(first.n).toBeLessThanOrEqual(8);
    expect((await ruleOf(id, rule.id)).status).toEqual({
      history: "replaying",
      replayedEvents: first.n,
    });
    // After the cut, pushed between steps: from the backlog too.
    expect((await ingest(id, token, batch(a, 2))).status).toBe(202);
    await pushNow(shard(1));
    expect(await counted()).toMatchObject({ n: first.n, backlog: 3 });

    const seen = await stepsToEnd();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expectCountingUp(seen, 28);
    expect(await counted()).toEqual({ n: 20 + 5 + 3 + 4 + 2, backlog: 0, cuts: 1 });

    // Shard 2's rows before its cut arrive now: counted once, and the cut is done with.
    await pushNow(shard(2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 34, backlog: 0, cuts: 0 });
    // Live again: each new event counts.
    await ingest(id, token, [...batch(a, 1), ...batch(b, 1)]);
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 36, backlog: 0, cuts: 0 });
  }, 60_000);

  it("learns over several steps what one object learns, and raises the same next alert", async () => {
    const rule: RuleCreate = {
      name: "Fleet total",
      kind: "aggregate",
      expression: "sum(value) > 1000",
      window: "1h",
    };
    // One object: the rule counted the same history live (the same times: the
    // window's minute buckets split them alike).
    const past = history();
    const single = await fleet(1);
    const one = await createRule(single.business.id, rule);
    expect((await ingest(single.business.id, single.token, past)).status).toBe(202);
    await settleAll(single.business.id, 1);
    const expected = await learnt(objectsOf(single.business.id, 1)[0] as DurableObjectStub, one.id);
    expect(expected.length).toBeGreaterThan(0);

    const sharded = await countingFleet(rule, past);
    const seen = await sharded.stepsToEnd();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expectCountingUp(seen, 20);
    expect(await learnt(sharded.coordinator(), sharded.rule.id)).toEqual(expected);

    // 190 in the history and 900 now: over 1,000 on both (the 900 alone is not).
    for (const [businessId, token, shards] of [
      [single.business.id, single.token, 1],
      [sharded.id, sharded.token, 4],
    ] as const) {
      await ingest(businessId, token, [{ device: "D42", value: 900 }]);
      await settleAll(businessId, shards);
      const alerts = await allAlerts(businessId);
      expect(
        alerts.map((a) => [a.status, a.summary.includes("1,090") || a.summary.includes("1090")]),
        `${shards} shards`,
      ).toEqual([["open", true]]);
    }
  }, 60_000);

  it("applies nothing when the definition is reloaded while the shards answer, and goes on from there", async () => {
    const { id, token, rule, counted, step, coordinator } = await countingFleet();
    expect(await step()).toBe(true);
    const first = await counted();
    expect(first.n).toBeGreaterThan(0);
    const more = await step(async (o, state) => {
      // A rule change, or an eviction, loads the definition again: the step's engine is
      // no longer the one live items reach. The alarm the load plans is put off, so the
      // step below is the one that finds out.
      definitionOf(o).drop();
      await definitionOf(o).load(id);
      await state.storage.deleteAlarm();
    });
    expect(more).toBe(true);
    expect(await counted()).toEqual(first);
    expect((await ruleOf(id, rule.id)).status).toEqual({
      history: "replaying",
      replayedEvents: first.n,
    });
    // The alarm's next steps, with the definition now held, replay the rest and put it live.
    await runInDurableObject(coordinator(), (_o, state) => state.storage.setAlarm(Date.now()));
    await settleAll(id, 4);
    expect((await ruleOf(id, rule.id)).status).toEqual({ history: "ready" });
    expect(await counted()).toEqual({ n: 20, backlog: 0, cuts: 0 });
    await ingest(id, token, batch(deviceOn(1), 2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 22, backlog: 0, cuts: 0 });
  }, 60_000);

  it("starts over from a clean state and new cuts when the rule changes mid-pass", async () => {
    const { id, token, rule, counted, step, shard, coordinator } = await countingFleet();
    expect(await step()).toBe(true);
    expect((await counted()).n).toBeGreaterThan(0);
    // After the first pass's cuts, pushed while it replays: held for that pass.
    expect((await ingest(id, token, batch(deviceOn(1), 5))).status).toBe(202);
    await pushNow(shard(1));
    expect(await counted()).toMatchObject({ backlog: 1 });
    // Before the new pass's cut, pushed only after it ends.
    await storeUnpushed(id, shard(2), deviceOn(2), 3);
    // The change reaches every object: the coordinator forgets what the rule learnt and
    // what it held, and its alarm runs the new pass (shard 2's push stays held).
    await patchRule(id, rule.id, { window: "2h" });
    for (let i = 0; i < 50 && (await ruleOf(id, rule.id)).status?.history !== "ready"; i++)
      await runDurableObjectAlarm(coordinator());
    expect((await ruleOf(id, rule.id)).status).toEqual({ history: "ready" });
    expect(await counted()).toEqual({ n: 20 + 5 + 3, backlog: 0, cuts: 1 });
    await pushNow(shard(2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 28, backlog: 0, cuts: 0 });
    await ingest(id, token, batch(deviceOn(3), 2));
    await settleAll(id, 4);
    expect(await counted()).toEqual({ n: 30, backlog: 0, cuts: 0 });
  }, 60_000);
});
