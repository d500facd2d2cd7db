import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  alertAction,
  alertsOf,
  bodyOf,
  businessWithSource,
  createRule,
  expectStatus,
  getAlert,
  ingest,
  patchRule,
  settle,
} from "../helpers";
import { fastForward, MIN, planned, route, stubOf } from "./support";

const history = async (alertId: string) =>
  bodyOf(await getAlert(alertId), 200).history.map((t) => t.type);

describe("for: pending before an alert opens", () => {
  it("opens only when the condition held for the whole period, across an eviction", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
      for: "5m",
    });
    await ingest(business.id, token, [route("A", 9000), route("B", 9000), route("B", 10)]);
    expect(await alertsOf(business.id)).toHaveLength(0);
    // B's condition cleared while pending: only A waits.
    const pending = await planned(business.id, "pending");
    expect(pending.map((p) => p.key.split("\n")[1])).toEqual(["A"]);
    expect(pending[0]?.due).toBeGreaterThan(Date.now() + 4 * MIN);

    // A fresh instance (eviction) reads the pending state back, then the period passes.
    await evictDurableObject(stubOf(business.id));
    await settle(business.id);
    await fastForward(business.id, "pending");
    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      groupKey: "A",
      status: "open",
      summary: "A: durationMs > 5000 (durationMs = 9000)",
    });
  });

  it("keeps the pending start through an edit that keeps the state, and drops it on one that does not", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      for: "10m",
    });
    await ingest(business.id, token, route("A", 9000));
    const [before] = await planned(business.id, "pending");
    await patchRule(business.id, rule.id, { name: "Slow files", for: "20m" });
    const [after] = await planned(business.id, "pending");
    // Re-planned from the same start for the new period.
    expect((after?.due ?? 0) - (before?.due ?? 0)).toBe(10 * MIN);

    await patchRule(business.id, rule.id, { condition: "durationMs > 8000" });
    expect(await planned(business.id, "pending")).toHaveLength(0);
    await fastForward(business.id);
    expect(await alertsOf(business.id)).toHaveLength(0);
  });

  it("applies to absence rules: the alert opens only if the key is still silent after the period", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "No file",
      kind: "absence",
      window: "20m",
      groupBy: "routeId",
      for: "5m",
    });
    await ingest(business.id, token, [
      route("A", 1, Date.now() - 25 * MIN),
      route("B", 1, Date.now() - 25 * MIN),
    ]);
    await settle(business.id);
    expect(await alertsOf(business.id)).toHaveLength(0);
    await ingest(business.id, token, route("B", 1));
    await fastForward(business.id, "pending");
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => a.groupKey)).toEqual(["A"]);
  });
});

describe("keepFiringFor: alerts stay open after their condition cleared", () => {
  it("by default an immediate rule does not open and resolve 13 ms apart: it resolves 2 minutes after the last trigger", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    await ingest(business.id, token, [route("A", 9000), route("A", 10)]);
    const [first] = await alertsOf(business.id);
    expect(first).toMatchObject({ status: "open", count: 1 });
    const [keep] = await planned(business.id, "keep");
    expect(keep?.due).toBeGreaterThan(Date.now() + MIN);
    expect(keep?.due).toBeLessThanOrEqual(Date.now() + 2 * MIN);

    // A new trigger meanwhile continues the same alert; the next clear starts a new period.
    await ingest(business.id, token, [route("A", 7000), route("A", 10)]);
    const [again] = await alertsOf(business.id);
    expect(again).toMatchObject({ id: first?.id, status: "open", count: 2 });

    await evictDurableObject(stubOf(business.id));
    await settle(business.id);
    await fastForward(business.id, "keep");
    const [done] = await alertsOf(business.id);
    expect(done).toMatchObject({
      id: first?.id,
      status: "resolved",
      resolution: "the next event no longer matched",
    });
    expect(await history(done?.id ?? "")).toEqual(["opened", "resolved"]);
  });

  it("keeps an aggregate alert open past a dip, and `0s` resolves at once", async () => {
    const { business, token } = await businessWithSource({
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "amount", type: "number", required: true },
      ],
    });
    await createRule(business.id, {
      name: "Spend",
      kind: "aggregate",
      expression: "max(amount) > 100",
      window: "10m",
      keepFiringFor: "0s",
    });
    const at = Date.now() - 12 * MIN;
    await ingest(business.id, token, { timestamp: at, amount: 150 });
    await settle(business.id);
    const [alert] = await alertsOf(business.id);
    expect(alert?.status).toBe("resolved");
  });

  it("resolving by hand ends the keep-firing period", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    await ingest(business.id, token, [route("A", 9000), route("A", 10)]);
    const [alert] = await alertsOf(business.id);
    expectStatus(await alertAction("resolve", alert?.id), 200);
    expect(await planned(business.id, "keep")).toHaveLength(0);
    const [after] = await alertsOf(business.id);
    expect(after).toMatchObject({ status: "resolved", resolution: "resolved by hand" });
  });
});

describe("retiring absence keys", () => {
  it("keeps an absence alert resolved by hand resolved until the key reports again", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "No file",
      kind: "absence",
      window: "20m",
      groupBy: "routeId",
    });
    await ingest(business.id, token, route("OLD", 1, Date.now() - 25 * MIN));
    await settle(business.id);
    const [alert] = await alertsOf(business.id);
    expect(alert?.status).toBe("open");
    expectStatus(await alertAction("resolve", alert?.id), 200);

    // A reload (a rule edit, an eviction) and every timer running do not bring it back.
    await patchRule(business.id, rule.id, { name: "No file for 20 min" });
    await evictDurableObject(stubOf(business.id));
    await fastForward(business.id);
    expect((await alertsOf(business.id)).map((a) => a.status)).toEqual(["resolved"]);

    // It reports again: watched as before, and silent again it alerts anew.
    await ingest(business.id, token, route("OLD", 1, Date.now() - 21 * MIN));
    await fastForward(business.id, "absence");
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => a.status)).toEqual(["open", "resolved"]);
  });

  it("forgets an expected key on request, and retires a key taken out of expect", async () => {
    const { business } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "Must report",
      kind: "absence",
      window: "5m",
      groupBy: "routeId",
      expect: ["X", "Y", "Z"],
    });
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      state.storage.sql.exec(`update rule_state set since = since - 10 * 60000`);
    });
    await fastForward(business.id, "absence");
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => a.groupKey).sort()).toEqual(["X", "Y", "Z"]);

    const x = alerts.find((a) => a.groupKey === "X");
    const forgot = await alertAction("forget", x?.id);
    expectStatus(forgot, 200);
    expect(forgot.json).toMatchObject({ status: "resolved", resolution: "the key was forgotten" });

    await patchRule(business.id, rule.id, { expect: ["X", "Z"] });
    await evictDurableObject(stubOf(business.id));
    await fastForward(business.id);
    const after = await alertsOf(business.id);
    const byKey = Object.fromEntries(after.map((a) => [a.groupKey, a]));
    expect(after).toHaveLength(3);
    expect(byKey.X?.status).toBe("resolved");
    expect(byKey.Y).toMatchObject({
      status: "resolved",
      resolution: "the key is no longer expected",
    });
    expect(byKey.Z?.status).toBe("open");
  });
});
