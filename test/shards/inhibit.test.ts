import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { shardOf } from "../../workers/business/shards/route";
import {
  api,
  createChannel,
  createRule,
  createSource,
  expectStatus,
  ingest,
  receiverUrl,
  send,
} from "../helpers";
import { allAlerts, objectsOf, settleAll } from "./support";

const SHARDS = 4;

/** Two devices whose events go to different shards, and a third anywhere. */
function devices() {
  const names = Array.from({ length: 50 }, (_, i) => `dev-${i}`);
  const a = names[0] as string;
  const b = names.find((d) => shardOf(d, SHARDS) !== shardOf(a, SHARDS)) as string;
  return { a, b, shardOfB: shardOf(b, SHARDS) };
}

/** Whether any channel was told of an alert's opening, in the object that holds it. */
async function notified(businessId: string, objectIndex: number, alertId: string) {
  const stub = objectsOf(businessId, SHARDS)[objectIndex];
  if (!stub) throw new Error(`no object ${objectIndex}`);
  return runInDurableObject(stub, (_o, state) => {
    const rows = state.storage.sql
      .exec(`select 1 from alert_notified where alert_id = ?`, alertId)
      .toArray();
    return rows.length > 0;
  });
}

describe("inhibitedBy across shards", () => {
  it("an inhibiting alert in one object inhibits the rule's alerts in the others, and lets them go", async () => {
    const created = await send(
      api.v1.businesses.$post({
        json: {
          name: "Inhibited fleet",
          fields: [
            { name: "device", type: "string", required: true },
            { name: "region", type: "enum", values: ["eu", "us"] },
            { name: "status", type: "enum", values: ["OK", "DOWN", "OFFLINE"] },
            { name: "value", type: "number" },
          ],
          shards: SHARDS,
          shardKey: "device",
        },
      }),
    );
    expectStatus(created, 201);
    const id = created.json.id;
    await createChannel(id, {
      type: "webhook",
      url: await receiverUrl(`/shard-inhibit-${id}`),
      groupWait: "0s",
    });
    // In the coordinator (no groupBy) and in the shards (by device): the two inhibiting rules.
    const fleetDown = await createRule(id, {
      name: "fleet down",
      kind: "immediate",
      condition: 'status == "DOWN"',
      keepFiringFor: "0s",
    });
    const offline = await createRule(id, {
      name: "device offline",
      kind: "immediate",
      condition: 'status == "OFFLINE"',
      groupBy: "device",
      keepFiringFor: "0s",
    });
    // Inhibited: one run in the shards, one in the coordinator.
    const hot = await createRule(id, {
      name: "device hot",
      kind: "immediate",
      condition: "value > 90",
      groupBy: "device",
      inhibitedBy: [fleetDown.id, offline.id],
    });
    const regionHot = await createRule(id, {
      name: "region hot",
      kind: "immediate",
      condition: "value > 90",
      groupBy: "region",
      inhibitedBy: [offline.id],
    });
    const { token } = await createSource(id);
    const { a, b, shardOfB } = devices();
    const post = async (event: Record<string, unknown>) => {
      expect(
        (await ingest(id, token, [{ region: "eu", value: 1, status: "OK", ...event }])).status,
      ).toBe(202);
      await settleAll(id, SHARDS);
    };
    const flags = async () => {
      const alerts = await allAlerts(id);
      const of = (ruleId: string) =>
        alerts.find((x) => x.ruleId === ruleId && x.status !== "resolved");
      return { hot: of(hot.id), regionHot: of(regionHot.id), all: alerts };
    };

    // Device a goes offline in its shard; device b runs hot in another shard.
    await post({ device: a, status: "OFFLINE" });
    await post({ device: b, value: 95 });
    let now = await flags();
    expect(now.hot).toMatchObject({ groupKey: b, inhibited: true });
    expect(now.regionHot).toMatchObject({ groupKey: "eu", inhibited: true });
    const hotId = (now.hot as { id: string }).id;
    // Inhibited: no channel heard of it.
    expect(await notified(id, shardOfB, hotId)).toBe(false);

    // Device a is back: the inhibition ends in both objects, and the held opening goes out.
    await post({ device: a, status: "OK" });
    now = await flags();
    expect(now.hot).toMatchObject({ id: hotId, inhibited: false });
    expect(now.regionHot).toMatchObject({ inhibited: false });
    expect(await notified(id, shardOfB, hotId)).toBe(true);

    // The fleet goes down (judged in the coordinator): the shard's alert is inhibited again.
    await post({ device: a, status: "DOWN" });
    now = await flags();
    expect(now.all.find((x) => x.ruleId === fleetDown.id)?.status).toBe("open");
    expect(now.hot).toMatchObject({ id: hotId, inhibited: true });
    // …and free once it is up.
    await post({ device: a, status: "OK" });
    expect((await flags()).hot).toMatchObject({ id: hotId, inhibited: false });
  }, 60_000);
});
