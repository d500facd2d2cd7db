import { beforeAll, describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import { shardOf } from "../../workers/business/shards/route";
import {
  api,
  bodyOf,
  connectLive,
  createBusiness,
  createRule,
  createSource,
  ingest,
  type RuleCreate,
  send,
  until,
} from "../helpers";
import { settleAll } from "./support";

const DAY = 86_400_000;
const DEVICES = 8;

async function fleet(shards: number) {
  return createBusiness({
    name: `Fridges in ${shards}`,
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
      { name: "temperature", type: "number", required: true },
    ],
    ...(shards > 1 ? { shards, shardKey: "deviceId" } : {}),
  });
}

/**
 * Three days of eight fridges every 10 minutes, ending now, in time order
 * (each fridge a few seconds apart, so no two events share a time): spread
 * over the four shards by the hash of `deviceId`.
 */
function readings() {
  const start = Date.now() - 3 * DAY;
  const all = Array.from({ length: DEVICES }, (_, d) =>
    labelledSeries({
      type: "none",
      seed: 3 + d,
      start: start + d * 1000,
      points: 3 * 144,
      level: 4 + d,
      daily: 1,
      noise: 0.2,
    }).points.map((p) => ({
      timestamp: p.time,
      deviceId: `F${d}`,
      temperature: p.value,
    })),
  ).flat();
  return all.sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
}

interface Fleet {
  id: string;
  rules: Record<string, string>;
}

/** The same fridges, rules and events in a 1-shard and a 4-shard business. */
async function pair() {
  const events = readings();
  const out: Fleet[] = [];
  for (const shards of [1, 4]) {
    const b = await fleet(shards);
    const rules: Record<string, string> = {};
    const anomalyRules: RuleCreate[] = [
      { name: "odd fridge", kind: "anomaly", field: "temperature", groupBy: "deviceId" },
      { name: "odd kitchen", kind: "anomaly", field: "temperature" },
    ];
    for (const rule of anomalyRules) {
      rules[rule.name] = (await createRule(b.id, rule)).id;
    }
    const { token } = await createSource(b.id);
    for (let i = 0; i < events.length; i += 500) {
      expect((await ingest(b.id, token, events.slice(i, i + 500))).status).toBe(202);
    }
    await settleAll(b.id, shards);
    out.push({ id: b.id, rules });
  }
  const [one, four] = out;
  if (!one || !four) throw new Error("two businesses");
  return { one, four };
}

describe("reads of a 4-shard business answer as the same 1-shard business does", () => {
  let one: Fleet;
  let four: Fleet;
  beforeAll(async () => {
    ({ one, four } = await pair());
  }, 120_000);

  it("rule status: the rule on the key counts every shard's series, the one across keys is the coordinator's", async () => {
    const status = async (b: Fleet) => {
      const list = bodyOf(
        await send(api.v1.businesses[":id"].rules.$get({ param: { id: b.id } })),
        200,
      ).items;
      return Object.fromEntries(list.map((r) => [r.name, r.status]));
    };
    const s4 = await status(four);
    expect(s4["odd fridge"]).toEqual({ history: "ready", groups: DEVICES, warmingUp: 0 });
    expect(s4["odd kitchen"]).toEqual({ history: "ready", groups: 1, warmingUp: 0 });
    expect(s4).toEqual(await status(one));
    const single = bodyOf(
      await send(
        api.v1.businesses[":id"].rules[":ruleId"].$get({
          param: { id: four.id, ruleId: four.rules["odd kitchen"] ?? "" },
        }),
      ),
      200,
    );
    expect(single.status).toEqual({ history: "ready", groups: 1, warmingUp: 0 });
  });

  it("an anomaly rule's band is drawn from every shard's events, in one stream for the rule across keys", async () => {
    const from = new Date(Date.now() - DAY).toISOString();
    const to = new Date().toISOString();
    const bandOf = async (b: Fleet, name: string, bucket: string) =>
      bodyOf(
        await send(
          api.v1.businesses[":id"].rules[":ruleId"].band.$get({
            param: { id: b.id, ruleId: b.rules[name] ?? "" },
            query: { from, to, bucket },
          }),
        ),
        200,
      );
    for (const name of ["odd fridge", "odd kitchen"]) {
      const band = (b: Fleet) => bandOf(b, name, "1h");
      const b4 = await band(four);
      expect(b4.items.length, name).toBeGreaterThanOrEqual(23);
      expect(b4).toEqual({ ...(await band(one)), ruleId: four.rules[name] });
    }
    const groups = async (b: Fleet) =>
      new Set((await bandOf(b, "odd fridge", "6h")).items.map((p) => p.group)).size;
    expect(await groups(four)).toBe(DEVICES);
  });

  it("the profile drafts from every shard's history, as from one object's", async () => {
    const profile = async (b: Fleet) => {
      const res = bodyOf(
        await send(api.v1.businesses[":id"].suggestions.run.$post({ param: { id: b.id } })),
        200,
      );
      if (!res.run) throw new Error(`no run: ${JSON.stringify(res)}`);
      return {
        events: res.run.events,
        groupField: res.run.groupField,
        rules: res.items.map((s) => JSON.stringify(s.rule)).sort(),
      };
    };
    const p4 = await profile(four);
    expect(p4.events).toBe(DEVICES * 3 * 144);
    expect(p4).toEqual(await profile(one));
  }, 60_000);
});

describe("the live socket of a 4-shard business", () => {
  it("hears alert changes of every shard and of the coordinator, not only shard 0's", async () => {
    const b = await fleet(4);
    await createRule(b.id, {
      name: "warm fridge",
      kind: "immediate",
      condition: "temperature > 10",
      groupBy: "deviceId",
    });
    await createRule(b.id, {
      name: "warm kitchen",
      kind: "aggregate",
      expression: "max(temperature) > 10",
      window: "1h",
    });
    const { token } = await createSource(b.id);
    const { ws, messages } = await connectLive(b.id);
    expect(await until(() => messages.some((m) => m.type === "hello"))).toBe(true);

    // A fridge of shard 2: shard 0 holds no event and no alert of it.
    const device = Array.from({ length: 100 }, (_, i) => `F${i}`).find((d) => shardOf(d, 4) === 2);
    expect((await ingest(b.id, token, { deviceId: device, temperature: 12 })).status).toBe(202);
    await settleAll(b.id, 4);
    expect(await until(() => messages.filter((m) => m.type === "alerts").length >= 2, 300)).toBe(
      true,
    );
    const alerts = bodyOf(await send(api.v1.alerts.$get({ query: { businessId: b.id } })), 200);
    expect(alerts.items.map((a) => a.groupKey).sort()).toEqual(["", device]);
    ws.close();
  }, 60_000);
});
