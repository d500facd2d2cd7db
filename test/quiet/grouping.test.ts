import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { NotificationMessage } from "../../workers/notify/message";
import { emailRaw, slackPayload } from "../../workers/notify/senders";
import {
  alertAction,
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createChannel,
  createRule,
  createSilence,
  expectStatus,
  ingest,
  received,
  receiverUrl,
  send,
  settle,
  statusOf,
} from "../helpers";
import { fastForward, MIN, planned, stubOf } from "./support";

let counter = 0;
const devices = Array.from({ length: 40 }, (_, i) => `gh-${String(i + 1).padStart(2, "0")}`);

interface Hook {
  type: string;
  data: {
    id?: string;
    groupKey?: string;
    summary?: string;
    alerts?: { id: string; groupKey: string }[];
  };
}

/** A greenhouse whose 40 devices last reported 6 minutes ago, watched by a 5-minute absence rule. */
async function greenhouse(
  channel: { groupWait?: string; groupInterval?: string; renotifyAfter?: string } = {},
) {
  const { business, token } = await businessWithSource({
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "deviceId", type: "string", required: true },
    ],
  });
  const path = `/group-${Date.now()}-${++counter}`;
  await createChannel(business.id, { type: "webhook", url: await receiverUrl(path), ...channel });
  const rule = await createRule(business.id, {
    name: "Device silent",
    kind: "absence",
    window: "5m",
    groupBy: "deviceId",
    severity: "critical",
  });
  const at = Date.now() - 6 * MIN;
  return {
    business,
    token,
    path,
    rule,
    report: () =>
      ingest(
        business.id,
        token,
        devices.map((deviceId) => ({ timestamp: at, deviceId })),
      ),
  };
}

async function notifiedRows(businessId: string) {
  return runInDurableObject(stubOf(businessId), (_i, state) => ({
    told: state.storage.sql.exec<{ n: number }>(`select count(*) as n from alert_notified`).one().n,
    held: state.storage.sql.exec<{ n: number }>(`select count(*) as n from group_held`).one().n,
  }));
}

describe("grouped notifications", () => {
  it("40 devices going silent together reach the channel as at most 2 deliveries listing all 40", async () => {
    const g = await greenhouse();
    await g.report();
    await settle(g.business.id);
    expect(await alertsOf(g.business.id, "status=open&limit=100")).toHaveLength(40);
    // The first went out at once; the others wait for the group.
    expect(await planned(g.business.id, "group")).toHaveLength(1);
    await fastForward(g.business.id, "group");
    await settle(g.business.id);

    const got = (await received(g.path, 2)).map((r) => JSON.parse(r.body) as Hook);
    expect(got.length).toBeLessThanOrEqual(2);
    expect(got.map((h) => h.type).sort()).toEqual(["alert.group", "alert.opened"]);
    const group = got.find((h) => h.type === "alert.group");
    const single = got.find((h) => h.type === "alert.opened");
    const keys = [single?.data.groupKey, ...(group?.data.alerts ?? []).map((a) => a.groupKey)];
    expect(keys.sort()).toEqual(devices);
    expect(group?.data.summary).toMatch(
      /^39 keys silent since \d\d:\d\d \(Device silent: gh-\d\d, gh-\d\d, gh-\d\d and 36 more\)$/,
    );
    // Nothing more comes.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await received(g.path, 3, 0)).toHaveLength(2);
    // A grouped message is not kept, so it cannot be re-sent as it was.
    const log = bodyOf(
      await send(
        api.v1.businesses[":id"].deliveries.$get({ param: { id: g.business.id }, query: {} }),
      ),
      200,
    ).items;
    const grouped = log.find((d) => d.type === "alert.group");
    expect(
      await statusOf(api.v1.deliveries[":id"].resend.$post({ param: { id: grouped?.id ?? "" } })),
    ).toBe(409);
  });

  it("a silenced rule's 40 alerts notify nobody", async () => {
    const g = await greenhouse();
    await createSilence(g.business.id, {
      matchers: { ruleId: g.rule.id },
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await g.report();
    await settle(g.business.id);
    const open = await alertsOf(g.business.id, "status=open&limit=100");
    expect(open).toHaveLength(40);
    expect(open.every((a) => a.silenced)).toBe(true);
    expect(await notifiedRows(g.business.id)).toEqual({ told: 0, held: 0 });
    expect(await planned(g.business.id, "group")).toHaveLength(0);
  });

  it("spaces grouped messages by groupInterval, and drops a held opening whose alert resolved", async () => {
    const g = await greenhouse({ groupWait: "1m", groupInterval: "10m" });
    await g.report();
    await settle(g.business.id);
    await fastForward(g.business.id, "group");
    expect(await notifiedRows(g.business.id)).toEqual({ told: 40, held: 0 });

    // Another device goes silent right after: held until 10 minutes after the last group.
    await ingest(g.business.id, g.token, { timestamp: Date.now() - 6 * MIN, deviceId: "gh-41" });
    await ingest(g.business.id, g.token, { timestamp: Date.now() - 6 * MIN, deviceId: "gh-42" });
    await settle(g.business.id);
    const [next] = await planned(g.business.id, "group");
    expect(next?.due).toBeGreaterThan(Date.now() + 9 * MIN);
    expect(await notifiedRows(g.business.id)).toEqual({ told: 40, held: 2 });
    // gh-42 is resolved by hand before the group goes: nobody hears of it.
    const alerts = await alertsOf(g.business.id, "status=open&limit=100");
    const gh42 = alerts.find((a) => a.groupKey === "gh-42");
    expectStatus(await alertAction("resolve", gh42?.id), 200);
    expect(await notifiedRows(g.business.id)).toEqual({ told: 40, held: 1 });
    await fastForward(g.business.id, "group");
    await settle(g.business.id);
    const got = (await received(g.path, 3)).map((r) => JSON.parse(r.body) as Hook);
    expect(got.map((h) => [h.type, h.data.groupKey ?? null])).toContainEqual([
      "alert.opened",
      "gh-41",
    ]);
    expect(got.some((h) => h.data.groupKey === "gh-42")).toBe(false);
  });

  it("backs reminders off per channel: 1 h, 2 h, 4 h", async () => {
    const g = await greenhouse({ renotifyAfter: "1h", groupWait: "0s" });
    await ingest(g.business.id, g.token, { timestamp: Date.now() - 6 * MIN, deviceId: "gh-01" });
    await settle(g.business.id);
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [due] = await planned(g.business.id, "renotify");
      gaps.push(Math.round(((due?.due ?? 0) - Date.now()) / 3_600_000));
      await fastForward(g.business.id, "renotify");
    }
    expect(gaps).toEqual([1, 2, 4]);
  });
});

describe("grouped messages in Slack and email", () => {
  const alert = (i: number) => ({
    id: `alt_${i}`,
    businessId: "bus_1",
    ruleId: "rul_1",
    ruleName: "Device silent",
    groupKey: `gh-${i}`,
    status: "open" as const,
    severity: "critical" as const,
    summary: `gh-${i}: no event for 5 min (last at 14:05)`,
    openedAt: "2026-11-27T13:05:00.000Z",
    lastTriggeredAt: "2026-11-27T13:05:00.000Z",
    acknowledgedAt: null,
    resolvedAt: null,
    resolution: null,
    count: 1,
    eventTime: "2026-11-27T13:05:00.000Z",
    historical: false,
    context: {},
    silenced: false,
    inhibited: false,
  });
  const alerts = Array.from({ length: 41 }, (_, i) => alert(i + 1));
  const m: NotificationMessage = {
    id: "atg_1",
    type: "alert.group",
    timestamp: "2026-11-27T13:06:00.000Z",
    businessId: "bus_1",
    businessName: "Greenhouse",
    channelId: "chn_1",
    alert: alerts[0] ?? alert(0),
    alerts,
    summary: "41 keys silent since 14:05 (Device silent: gh-1, gh-2, gh-3 and 38 more)",
  };

  it("is one Slack message with the summary line and the alerts", () => {
    const payload = slackPayload(m, "https://anom.example") as {
      text: string;
      blocks: { text?: { text: string } }[];
    };
    expect(payload.text).toBe(`CRITICAL ${m.summary}`);
    const list = payload.blocks[1]?.text?.text ?? "";
    expect(list.split("\n")).toHaveLength(21);
    expect(list).toContain("…and 21 more");
  });

  it("is one email whose subject is the summary line", () => {
    const raw = emailRaw("alerts@anom.example", "ops@example.com", m, "https://anom.example");
    // mimetext encodes the subject (UTF-8, base64).
    const subject = /^Subject: =\?utf-8\?B\?(.+)\?=$/im.exec(raw)?.[1] ?? "";
    expect(new TextDecoder().decode(Uint8Array.from(atob(subject), (c) => c.charCodeAt(0)))).toBe(
      `[critical] Greenhouse: ${m.summary}`,
    );
    expect(raw).toContain("gh-20: no event for 5 min");
    expect(raw).not.toContain("gh-21: no event for 5 min");
  });
});
