import { describe, expect, it } from "vitest";
import {
  alertAction,
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createChannel,
  createRule,
  createSilence,
  ingest,
  patchRule,
  received,
  receiverUrl,
  send,
  settle,
} from "../helpers";
import { fastForward, route } from "./support";

let counter = 0;

interface Hook {
  type: string;
  data: { id: string; ruleId: string; groupKey: string; status: string };
}

/**
 * A business with one webhook channel, a parent rule ("Gateway": status FAILED
 * on route GW), a dependent rule ("Slow", inhibited by the parent) and a
 * sentinel rule whose alerts show that earlier messages had their chance.
 */
async function setUp() {
  const { business, token } = await businessWithSource();
  const path = `/inhibit-${Date.now()}-${++counter}`;
  await createChannel(business.id, {
    type: "webhook",
    url: await receiverUrl(path),
    groupWait: "0s",
  });
  const gateway = await createRule(business.id, {
    name: "Gateway down",
    kind: "immediate",
    where: "routeId == 'GW'",
    condition: "status == 'FAILED'",
    keepFiringFor: "0s",
  });
  const slow = await createRule(business.id, {
    name: "Slow",
    kind: "immediate",
    where: "routeId != 'GW' && routeId != 'SENTINEL'",
    condition: "durationMs > 5000",
    groupBy: "routeId",
    keepFiringFor: "0s",
    inhibitedBy: [gateway.id],
  });
  await createRule(business.id, {
    name: "Sentinel",
    kind: "immediate",
    where: "routeId == 'SENTINEL'",
    condition: "durationMs > 0",
    groupBy: "durationMs",
    keepFiringFor: "0s",
  });
  let sentinels = 0;
  const hooks = async (): Promise<Hook[]> => {
    sentinels += 1;
    await ingest(business.id, token, route("SENTINEL", sentinels));
    await settle(business.id);
    for (let i = 0; i < 80; i++) {
      const got = (await received(path, 0, 0)).map((r) => JSON.parse(r.body) as Hook);
      if (got.some((h) => h.data.groupKey === String(sentinels)))
        return got.filter((h) => h.data.ruleId !== "" && !/^\d+$/.test(h.data.groupKey));
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the sentinel never arrived");
  };
  const gw = (status: "OK" | "FAILED") => ({ ...route("GW", 1), status });
  return { business, token, gateway, slow, hooks, gw };
}

const kinds = (hooks: Hook[], ruleId: string) =>
  hooks.filter((h) => h.data.ruleId === ruleId).map((h) => [h.type, h.data.groupKey]);

describe("inhibition", () => {
  it("keeps dependent alerts from notifying while a parent alert is open, and notifies those still open when it resolves", async () => {
    const s = await setUp();
    await ingest(s.business.id, s.token, s.gw("FAILED"));
    await ingest(s.business.id, s.token, [route("A", 9000), route("B", 9000)]);
    const children = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(children.map((a) => [a.status, a.inhibited])).toEqual([
      ["open", true],
      ["open", true],
    ]);
    await ingest(s.business.id, s.token, route("B", 10));
    expect(kinds(await s.hooks(), s.slow.id)).toEqual([]);

    // The gateway recovers: A, still open, is notified now (B resolved meanwhile: nobody heard of it).
    await ingest(s.business.id, s.token, s.gw("OK"));
    const hooks = await s.hooks();
    expect(kinds(hooks, s.gateway.id)).toEqual([
      ["alert.opened", ""],
      ["alert.resolved", ""],
    ]);
    expect(kinds(hooks, s.slow.id)).toEqual([["alert.opened", "A"]]);
    const [a] = await alertsOf(s.business.id, `ruleId=${s.slow.id}&status=open`);
    expect(a).toMatchObject({ groupKey: "A", inhibited: false });
  });

  it("refuses inhibitedBy naming an unknown rule or the rule itself", async () => {
    const s = await setUp();
    const unknown = await send(
      api.v1.businesses[":id"].rules.$post({
        param: { id: s.business.id },
        json: {
          name: "X",
          kind: "immediate",
          condition: "durationMs > 1",
          inhibitedBy: ["rul_nope"],
        },
      }),
    );
    expect(bodyOf(unknown, 422).errors?.[0]?.path).toBe("inhibitedBy.0");
    const self = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { id: s.business.id, ruleId: s.slow.id },
        json: { inhibitedBy: [s.slow.id] },
      }),
    );
    expect(bodyOf(self, 422).errors?.[0]?.path).toBe("inhibitedBy.0");
  });
});

describe("resolutions are never swallowed", () => {
  it("after a silence began", async () => {
    const s = await setUp();
    await ingest(s.business.id, s.token, route("A", 9000));
    await settle(s.business.id);
    await createSilence(s.business.id, {
      matchers: { ruleId: s.slow.id },
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await ingest(s.business.id, s.token, route("A", 10));
    const [alert] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(alert).toMatchObject({ status: "resolved", silenced: true });
    expect(kinds(await s.hooks(), s.slow.id)).toEqual([
      ["alert.opened", "A"],
      ["alert.resolved", "A"],
    ]);
  });

  it("after an inhibition began, for a resolution and an acknowledgement", async () => {
    const s = await setUp();
    await ingest(s.business.id, s.token, [route("A", 9000), route("B", 9000)]);
    await settle(s.business.id);
    await ingest(s.business.id, s.token, s.gw("FAILED"));
    const children = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    expect(children.every((a) => a.inhibited)).toBe(true);
    const b = children.find((a) => a.groupKey === "B");
    expect((await alertAction("ack", b?.id)).status).toBe(200);
    await ingest(s.business.id, s.token, route("A", 10));
    const hooks = kinds(await s.hooks(), s.slow.id);
    expect(hooks.sort()).toEqual(
      [
        ["alert.opened", "A"],
        ["alert.opened", "B"],
        ["alert.resolved", "A"],
        ["alert.acknowledged", "B"],
      ].sort(),
    );
  });

  it("after a snooze, when the alert resolves on keep-firing's timer", async () => {
    const s = await setUp();
    await patchRule(s.business.id, s.slow.id, { keepFiringFor: "5m" });
    await ingest(s.business.id, s.token, route("A", 9000));
    const [alert] = await alertsOf(s.business.id, `ruleId=${s.slow.id}`);
    const snoozed = await send(
      api.v1.alerts[":id"].snooze.$post({ param: { id: alert?.id ?? "" }, json: { for: "2h" } }),
    );
    expect(snoozed.status).toBe(201);
    await ingest(s.business.id, s.token, route("A", 10));
    await settle(s.business.id);
    await fastForward(s.business.id, "keep");
    expect((await alertsOf(s.business.id, `ruleId=${s.slow.id}`))[0]?.status).toBe("resolved");
    expect(kinds(await s.hooks(), s.slow.id)).toEqual([
      ["alert.opened", "A"],
      ["alert.resolved", "A"],
    ]);
  });
});
