import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { InferRequestType } from "hono/client";
import { describe, expect, it } from "vitest";
import worker from "../../workers/index";
import type { NotificationMessage } from "../../workers/notify/message";
import {
  api,
  bodyOf,
  type ChannelCreate,
  client,
  createBusiness,
  createChannel,
  expectStatus,
  problemOf,
  raw,
  received,
  receiverUrl,
  send,
} from "../helpers";
import { alertMessage } from "../support/messages";
import {
  AlertmanagerPostableAlerts,
  NtfyPublish,
  PagerDutyEvent,
  TeamsWorkflowMessage,
} from "../support/provider-contracts";

const KEY = "e93facc04764012d7bfb002500d5d1a6";
let counter = 0;
const uniquePath = (name: string) => `/${name}-${Date.now()}-${++counter}`;

const channel = createChannel;

/** The channels of a business (GET /v1/businesses/{id}/channels). */
const channels = async (id: string) =>
  bodyOf(await send(api.v1.businesses[":id"].channels.$get({ param: { id } })), 200);

/** A test notification's body as POST .../channels/{channelId}/test takes it. */
type TestBody = InferRequestType<
  (typeof api.v1.businesses)[":id"]["channels"][":channelId"]["test"]["$post"]
>["json"];

/** Sends a test notification on a channel (an empty body: the defaults). */
const testOf = (id: string, channelId: string, json: TestBody = {}) =>
  send(
    api.v1.businesses[":id"].channels[":channelId"].test.$post({ param: { id, channelId }, json }),
  );

/** Runs the real consumer on a batch, as the Queue would. */
async function consume(messages: NotificationMessage[], attempts = 1) {
  const batch = createMessageBatch<NotificationMessage>(
    "anom-notifications",
    messages.map((body, i) => ({
      id: `msg-${body.id}-${i}`,
      timestamp: new Date(),
      attempts,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

async function deliveries(businessId: string) {
  const res = await send(
    api.v1.businesses[":id"].deliveries.$get({ param: { id: businessId }, query: {} }),
  );
  return bodyOf(res, 200).items;
}

describe("delivery to PagerDuty, Teams, ntfy and Alertmanager endpoints", () => {
  it("posts each provider's documented body to its endpoint, with its credentials", async () => {
    const b = await createBusiness();
    const pd = uniquePath("pd");
    const teams = uniquePath("teams");
    const ntfy = uniquePath("ntfy");
    const am = uniquePath("am");
    const channels = [
      await channel(b.id, { type: "pagerduty", routingKey: KEY, url: await receiverUrl(pd) }),
      await channel(b.id, { type: "teams", url: await receiverUrl(teams) }),
      await channel(b.id, {
        type: "ntfy",
        topic: "anom-ops",
        url: await receiverUrl(ntfy),
        token: "tk_secret",
      }),
      await channel(b.id, { type: "alertmanager", url: await receiverUrl(am) }),
    ];
    const messages = channels.map((c) => alertMessage(b.id, c.id));
    const result = await consume(messages);
    expect(result.explicitAcks).toHaveLength(4);

    const [pdGot] = await received(pd);
    expect(PagerDutyEvent.parse(JSON.parse(pdGot?.body ?? ""))).toMatchObject({
      event_action: "trigger",
      dedup_key: messages[0]?.alert.id,
    });
    const [teamsGot] = await received(teams);
    expect(TeamsWorkflowMessage.safeParse(JSON.parse(teamsGot?.body ?? "")).success).toBe(true);
    const [ntfyGot] = await received(ntfy);
    expect(NtfyPublish.parse(JSON.parse(ntfyGot?.body ?? ""))).toMatchObject({
      topic: "anom-ops",
      click: `${env.UI_URL}/alerts/${messages[2]?.alert.id}`,
    });
    expect(ntfyGot?.headers.authorization).toBe("Bearer tk_secret");
    const [amGot] = await received(`${am}/api/v2/alerts`);
    expect(AlertmanagerPostableAlerts.parse(JSON.parse(amGot?.body ?? ""))).toHaveLength(1);
    for (const got of [pdGot, teamsGot, ntfyGot, amGot]) {
      expect(got?.headers["content-type"]).toBe("application/json");
    }
    const log = await deliveries(b.id);
    expect(log.map((d) => d.outcome)).toEqual(["delivered", "delivered", "delivered", "delivered"]);
  });

  it("records a request the provider refuses (400) as dead at once, with its reason", async () => {
    const b = await createBusiness();
    const say = encodeURIComponent(
      '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}',
    );
    const ch = await channel(b.id, {
      type: "pagerduty",
      routingKey: KEY,
      url: await receiverUrl(`${uniquePath("pd-400")}?status=400&say=${say}`),
    });
    const result = await consume([alertMessage(b.id, ch.id)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    const [row] = await deliveries(b.id);
    expect(row).toMatchObject({ outcome: "dead", statusCode: 400 });
    expect(row?.error).toContain("routing_key' is incorrect");
  });

  it("retries what the provider asks to be retried (429, 5xx), and delivers later", async () => {
    const b = await createBusiness();
    const slow = await channel(b.id, {
      type: "ntfy",
      topic: "anom-ops",
      url: await receiverUrl(`${uniquePath("ntfy-429")}?status=429`),
    });
    const path = uniquePath("teams-flaky");
    const flaky = await channel(b.id, { type: "teams", url: await receiverUrl(`${path}?fail=1`) });
    const m = alertMessage(b.id, flaky.id);
    const first = await consume([alertMessage(b.id, slow.id), m]);
    expect(first.retryMessages).toHaveLength(2);
    const second = await consume([m], 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await received(path)).toHaveLength(1);
    const log = await deliveries(b.id);
    // Newest first: the redelivery; the two first attempts ran at once, in either order.
    const outcomes = log.map((d) => [d.outcome, d.statusCode]);
    expect(outcomes[0]).toEqual(["delivered", 200]);
    expect(outcomes.slice(1).sort()).toEqual([
      ["failed", 429],
      ["failed", 503],
    ]);
  });

  it("sends a group to PagerDuty as one event per alert, and to Alertmanager as one push", async () => {
    const b = await createBusiness();
    const pd = uniquePath("pd-group");
    const am = uniquePath("am-group");
    const pdc = await channel(b.id, {
      type: "pagerduty",
      routingKey: KEY,
      url: await receiverUrl(pd),
    });
    const amc = await channel(b.id, { type: "alertmanager", url: await receiverUrl(am) });
    const group = (channelId: string): NotificationMessage => {
      const alerts = [1, 2, 3].map((i) => ({
        ...alertMessage(b.id, channelId).alert,
        groupKey: `gh-0${i}`,
      }));
      const base = alertMessage(b.id, channelId);
      return { ...base, type: "alert.group", alert: base.alert, alerts, summary: "3 alerts" };
    };
    await consume([group(pdc.id), group(amc.id)]);
    const events = (await received(pd, 3)).map((r) => PagerDutyEvent.parse(JSON.parse(r.body)));
    expect(events.map((e) => e.payload?.component)).toEqual(["gh-01", "gh-02", "gh-03"]);
    const [push] = await received(`${am}/api/v2/alerts`);
    const alerts = AlertmanagerPostableAlerts.parse(JSON.parse(push?.body ?? ""));
    expect(alerts.map((a) => a.labels.group)).toEqual(["gh-01", "gh-02", "gh-03"]);
  });
});

describe("channels API for PagerDuty, Teams, ntfy and Alertmanager", () => {
  it("creates each type, shows the endpoint and never the key or token", async () => {
    const b = await createBusiness();
    const pd = await channel(b.id, { type: "pagerduty", routingKey: KEY });
    expect(pd).toMatchObject({
      type: "pagerduty",
      name: "PagerDuty",
      url: "https://events.pagerduty.com/v2/enqueue",
    });
    const ntfy = await channel(b.id, { type: "ntfy", topic: "anom-ops", token: "tk_abc" });
    expect(ntfy).toMatchObject({
      name: "anom-ops",
      topic: "anom-ops",
      url: "https://ntfy.sh/",
    });
    const teams = await channel(b.id, {
      type: "teams",
      url: "https://prod-00.westeurope.logic.azure.com/workflows/abc",
    });
    expect(teams).toMatchObject({ type: "teams", name: "prod-00.westeurope.logic.azure.com" });
    const am = await channel(b.id, {
      type: "alertmanager",
      url: "https://alertmanager.example.com",
    });
    expect(am).toMatchObject({
      type: "alertmanager",
      url: "https://alertmanager.example.com",
    });
    const text = JSON.stringify(await channels(b.id));
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("tk_abc");
    for (const created of [pd, ntfy, teams, am]) expect("secret" in created).toBe(false);
  });

  it("names the field a body gets wrong", async () => {
    const b = await createBusiness();
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "pagerduty" }, "routingKey"],
      [{ type: "pagerduty", routingKey: "not a key!" }, "routingKey"],
      [{ type: "pagerduty", routingKey: KEY, url: "ftp://x.y" }, "url"],
      [{ type: "teams" }, "url"],
      [{ type: "ntfy", topic: "has spaces" }, "topic"],
      [{ type: "ntfy" }, "topic"],
      [{ type: "alertmanager", url: "nope" }, "url"],
      [{ type: "teams", url: "https://x.y", routingKey: KEY }, ""],
    ];
    for (const [body, path] of cases) {
      // Bodies the schema refuses, on purpose: sent raw.
      const res = await raw("POST", `/v1/businesses/${b.id}/channels`, { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      if (path) expect(problemOf(res).errors?.map((e) => e.path)).toContain(path);
    }
  });

  it("changes a type's own fields and refuses another type's", async () => {
    const b = await createBusiness();
    const ch = await channel(b.id, { type: "ntfy", topic: "first" });
    // Another type's fields are refused by the server for this channel: sent raw.
    const patch = (body: Record<string, unknown>) =>
      raw("PATCH", `/v1/businesses/${b.id}/channels/${ch.id}`, { body });
    const moved = await send(
      api.v1.businesses[":id"].channels[":channelId"].$patch({
        param: { id: b.id, channelId: ch.id },
        json: { topic: "second", url: "https://ntfy.example.com", token: "tk_x" },
      }),
    );
    expect(bodyOf(moved, 200)).toMatchObject({ topic: "second", url: "https://ntfy.example.com" });
    const wrong = await patch({ routingKey: KEY });
    expect(wrong.status).toBe(422);
    expect(problemOf(wrong).errors?.[0]?.path).toBe("routingKey");
    expect((await patch({ to: "a@b.co" })).status).toBe(422);
    expect((await patch({ token: null })).status).toBe(200);
  });
});

describe("send a test notification", () => {
  it("sends to each type now, answers what the endpoint said and logs the attempt", async () => {
    const b = await createBusiness();
    const paths = {
      pagerduty: uniquePath("t-pd"),
      teams: uniquePath("t-teams"),
      ntfy: uniquePath("t-ntfy"),
      alertmanager: uniquePath("t-am"),
      webhook: uniquePath("t-hook"),
      slack: uniquePath("t-slack"),
    };
    const bodies: Record<keyof typeof paths, ChannelCreate> = {
      pagerduty: { type: "pagerduty", routingKey: KEY, url: await receiverUrl(paths.pagerduty) },
      teams: { type: "teams", url: await receiverUrl(paths.teams) },
      ntfy: { type: "ntfy", topic: "anom-test", url: await receiverUrl(paths.ntfy) },
      alertmanager: { type: "alertmanager", url: await receiverUrl(paths.alertmanager) },
      webhook: { type: "webhook", url: await receiverUrl(paths.webhook) },
      slack: { type: "slack", url: await receiverUrl(paths.slack) },
    };
    for (const [type, body] of Object.entries(bodies)) {
      const ch = await channel(b.id, { ...body, enabled: false });
      const res = await testOf(b.id, ch.id);
      expectStatus(res, 200);
      expect(res.json, type).toMatchObject({
        alertId: `alt_test_${ch.id}`,
        type: "alert.opened",
        outcome: "delivered",
        statusCode: 200,
        error: null,
      });
      const path = paths[type as keyof typeof paths];
      const [got] = await received(type === "alertmanager" ? `${path}/api/v2/alerts` : path);
      expect(got?.body, type).toContain("Anom test notification");
      const log = await deliveries(b.id);
      expect(log[0]).toMatchObject({
        id: res.json.deliveryId,
        channelId: ch.id,
        outcome: "delivered",
      });
    }
    const email = await channel(b.id, { type: "email", to: "ops@example.com" });
    // The body is optional: a test sent with none at all.
    const mailed = await raw("POST", `/v1/businesses/${b.id}/channels/${email.id}/test`);
    expect(mailed.status).toBe(200);
    expect(mailed.json).toMatchObject({ outcome: "delivered", statusCode: null });
  });

  it("resolves what the test opened, under the same dedup_key", async () => {
    const b = await createBusiness();
    const path = uniquePath("t-pd-resolve");
    const ch = await channel(b.id, {
      type: "pagerduty",
      routingKey: KEY,
      url: await receiverUrl(path),
    });
    const test = async (body: TestBody) => bodyOf(await testOf(b.id, ch.id, body), 200);
    expect((await test({ severity: "critical" })).outcome).toBe("delivered");
    expect((await test({ type: "alert.resolved" })).outcome).toBe("delivered");
    const events = (await received(path, 2)).map((r) => PagerDutyEvent.parse(JSON.parse(r.body)));
    expect(events.map((e) => [e.event_action, e.dedup_key])).toEqual([
      ["trigger", `alt_test_${ch.id}`],
      ["resolve", `alt_test_${ch.id}`],
    ]);
    expect(events[0]?.payload?.severity).toBe("critical");
    // A type the route refuses, on purpose: sent raw.
    const bad = await raw("POST", `/v1/businesses/${b.id}/channels/${ch.id}/test`, {
      body: { type: "alert.group" },
    });
    expect(bad.status).toBe(422);
    expect(problemOf(bad).errors?.[0]?.path).toBe("type");
    // The body is optional, but one that is not JSON is a 400 (as the route's document says).
    const malformed = await raw("POST", `/v1/businesses/${b.id}/channels/${ch.id}/test`, {
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toBe("application/problem+json");
  });

  it("answers a failing endpoint's status without retrying, and a test is not re-sent", async () => {
    const b = await createBusiness();
    const path = uniquePath("t-fail");
    const ch = await channel(b.id, { type: "teams", url: await receiverUrl(`${path}?fail=5`) });
    const res = await testOf(b.id, ch.id);
    expectStatus(res, 200);
    expect(res.json).toMatchObject({
      outcome: "failed",
      statusCode: 503,
      error: "HTTP 503: try again",
    });
    const refused = await channel(b.id, {
      type: "ntfy",
      topic: "t",
      url: await receiverUrl(`${uniquePath("t-403")}?status=403&say=forbidden`),
    });
    const denied = await testOf(b.id, refused.id);
    expect(bodyOf(denied, 200)).toMatchObject({
      outcome: "dead",
      statusCode: 403,
      error: "HTTP 403: forbidden",
    });
    const again = await send(
      api.v1.deliveries[":id"].resend.$post({ param: { id: res.json.deliveryId } }),
    );
    expect(again.status).toBe(409);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
  });

  it("tests only a channel of the named business", async () => {
    const b = await createBusiness();
    const other = await createBusiness();
    const ch = await channel(b.id, { type: "teams", url: await receiverUrl(uniquePath("t-own")) });
    const elsewhere = await testOf(other.id, ch.id);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get("content-type")).toBe("application/problem+json");
    const noToken = await send(
      client(null).v1.businesses[":id"].channels[":channelId"].test.$post({
        param: { id: b.id, channelId: ch.id },
        json: {},
      }),
    );
    expect(noToken.status).toBe(401);
  });
});
