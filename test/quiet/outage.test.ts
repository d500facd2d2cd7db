import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { alertsOf, businessWithSource, createRule, ingest, settle } from "../helpers";
import { fastForward, MIN, planned, stubOf } from "./support";

const devices = Array.from({ length: 10 }, (_, i) => `gh-${i + 1}`);

/** A business whose 10 devices reported just now, watched by a 5-minute absence rule. */
async function setUp() {
  const { business, token } = await businessWithSource({
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
    ],
  });
  await createRule(business.id, {
    name: "Device silent",
    kind: "absence",
    window: "5m",
    groupBy: "deviceId",
    keepFiringFor: "0s",
  });
  await ingest(
    business.id,
    token,
    devices.map((deviceId) => ({ timestamp: Date.now() - 1000, deviceId })),
  );
  await settle(business.id);
  /**
   * Moves the business's past back: every event and the last ingest happened `ms`
   * earlier (with `ingestToo` false, the source kept sending meanwhile). A fresh
   * instance (eviction) then reads it from storage.
   */
  const age = async (ms: number, ingestToo = true) => {
    await runInDurableObject(stubOf(business.id), (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(`update last_seen set time = time - ?`, ms);
      if (ingestToo) sql.exec(`update meta set value = value - ? where key = 'last_ingest'`, ms);
      sql.exec(`update ingest_gaps set ended = ended - ?`, ms);
    });
    await evictDurableObject(stubOf(business.id));
  };
  const report = (deviceId: string) =>
    ingest(business.id, token, { timestamp: Date.now() - 500, deviceId });
  return { business, age, report };
}

describe("absence during an outage", () => {
  it("when no key reported for a window, opens one 'no data from any source' alert, not one per key", async () => {
    const s = await setUp();
    await s.age(10 * MIN);
    await fastForward(s.business.id, "absence");
    const alerts = await alertsOf(s.business.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ groupKey: "*", status: "open" });
    expect(alerts[0]?.summary).toMatch(
      /^All keys: no data from any source for 10 min \(last at \d\d:\d\d\)/,
    );

    // Data arrives again: that alert resolves and every key gets one window from now.
    await s.report("gh-1");
    await settle(s.business.id);
    await fastForward(s.business.id, "absence");
    const after = await alertsOf(s.business.id);
    expect(after.map((a) => [a.groupKey, a.status, a.resolution])).toEqual([
      ["*", "resolved", "data arrives again"],
    ]);
    const timers = await planned(s.business.id, "absence");
    expect(timers).toHaveLength(10);
    expect(timers.every((t) => t.due > Date.now() + 4 * MIN)).toBe(true);

    // A window after ingest resumed (gh-1 kept reporting), the keys still silent alert one by one.
    await s.age(6 * MIN, false);
    await s.report("gh-1");
    await fastForward(s.business.id, "absence");
    const open = await alertsOf(s.business.id, "status=open");
    expect(open.map((a) => a.groupKey).sort()).toEqual(devices.filter((d) => d !== "gh-1").sort());
  });

  it("when ingest resumes before the overdue timers run (the alarm could not run either), waits one window", async () => {
    const s = await setUp();
    await s.age(10 * MIN);
    await s.report("gh-2");
    await fastForward(s.business.id, "absence");
    expect(await alertsOf(s.business.id)).toHaveLength(0);
    const timers = await planned(s.business.id, "absence");
    expect(timers.every((t) => t.due > Date.now() + 4 * MIN)).toBe(true);
  });

  it("still alerts at once for a key that is silent while the others report", async () => {
    const s = await setUp();
    await s.age(6 * MIN);
    await s.report("gh-1");
    // The 6-minute pause is longer than the window: every key gets one window from the resumption…
    await fastForward(s.business.id, "absence");
    expect(await alertsOf(s.business.id)).toHaveLength(0);
    // …but a pause shorter than the window is no outage: silent keys alert as usual.
    await s.age(4 * MIN);
    await s.report("gh-1");
    await s.age(2 * MIN);
    await s.report("gh-1");
    await fastForward(s.business.id, "absence");
    expect((await alertsOf(s.business.id, "status=open")).map((a) => a.groupKey).sort()).toEqual(
      devices.filter((d) => d !== "gh-1").sort(),
    );
  });
});
