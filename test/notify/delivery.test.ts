import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runInDurableObject,
} from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, it, vi } from "vitest";
import worker from "../../workers/index";
import { retryBaseSeconds, retryDelaySeconds } from "../../workers/notify/breaker";
import type { NotificationMessage } from "../../workers/notify/message";
import {
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createChannel,
  createRule,
  ingest,
  received,
  receiverUrl,
  send,
  settle,
  statusOf,
} from "../helpers";
import { alertMessage } from "../support/messages";

let counter = 0;
const uniquePath = (name: string) => `/${name}-${Date.now()}-${++counter}`;

async function webhookChannel(
  businessId: string,
  path: string,
  extra: { renotifyAfter?: string; severities?: ("info" | "warning" | "critical")[] } = {},
) {
  const channel = await createChannel(businessId, {
    type: "webhook",
    url: await receiverUrl(path),
    ...extra,
  });
  const { secret } = channel;
  if (!secret) throw new Error("a webhook channel is answered with its secret");
  return { ...channel, secret };
}

/** Runs the real consumer on a batch, as the Queue would. */
async function consume(queue: string, messages: NotificationMessage[], attempts = 1) {
  const batch = createMessageBatch<NotificationMessage>(
    queue,
    messages.map((body, i) => ({
      id: `msg-${body.id}-${i}`,
      timestamp: new Date(),
      attempts,
      body,
    })),
  );
  // The harness records that a message was retried but not its delay, so watch the calls.
  const retries = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const delays = retries.map((spy) => spy.mock.calls[0]?.[0]?.delaySeconds);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

async function deliveries(businessId: string) {
  const res = await send(
    api.v1.businesses[":id"].deliveries.$get({ param: { id: businessId }, query: {} }),
  );
  return bodyOf(res, 200).items;
}

describe("webhook delivery", () => {
  it("signs per Standard Webhooks, with the transition id as webhook-id", async () => {
    const { business } = await businessWithSource();
    const path = uniquePath("signed");
    const channel = await webhookChannel(business.id, path);
    const m = alertMessage(business.id, channel.id);
    const result = await consume("anom-notifications", [m]);
    expect(result.explicitAcks).toHaveLength(1);

    const [got] = await received(path);
    expect(got?.headers["webhook-id"]).toBe(m.id);
    const payload = new Webhook(channel.secret).verify(
      got?.body ?? "",
      got?.headers ?? {},
    ) as Record<string, unknown>;
    expect(payload).toEqual({
      type: "alert.opened",
      timestamp: m.timestamp,
      data: m.alert,
      url: `http://127.0.0.1:8788/alerts/${m.alert.id}`,
    });
    // A tampered body fails verification.
    expect(() => new Webhook(channel.secret).verify(`${got?.body} `, got?.headers ?? {})).toThrow();

    const [log] = await deliveries(business.id);
    expect(log).toMatchObject({
      outcome: "delivered",
      attempt: 1,
      statusCode: 200,
      transitionId: m.id,
      type: "alert.opened",
    });
  });

  it("retries a failing endpoint with growing delays and the same webhook-id, then delivers", async () => {
    const { business } = await businessWithSource();
    const path = uniquePath("flaky");
    const channel = await webhookChannel(business.id, `${path}?fail=2`);
    const m = alertMessage(business.id, channel.id);
    const first = await consume("anom-notifications", [m], 1);
    expect(first.retryMessages).toHaveLength(1);
    const second = await consume("anom-notifications", [m], 2);
    expect(second.retryMessages).toHaveLength(1);
    expect(first.delays[0]).toBeGreaterThanOrEqual(8);
    expect(second.delays[0]).toBeGreaterThan(first.delays[0] ?? 0);
    const third = await consume("anom-notifications", [m], 3);
    expect(third.explicitAcks).toHaveLength(1);
    const got = await received(path);
    expect(got).toHaveLength(1);
    expect(got[0]?.headers["webhook-id"]).toBe(m.id);
    const log = await deliveries(business.id);
    expect(log.map((d) => [d.attempt, d.outcome, d.statusCode])).toEqual([
      [3, "delivered", 200],
      [2, "failed", 503],
      [1, "failed", 503],
    ]);
  });

  it("records a message that ran out of retries as dead, and re-sends it on request", async () => {
    const { business } = await businessWithSource();
    const path = uniquePath("dead");
    const channel = await webhookChannel(business.id, path);
    const m = alertMessage(business.id, channel.id);
    const result = await consume("anom-notifications-dlq", [m], 9);
    expect(result.ackAll).toBe(true);
    const [dead] = await deliveries(business.id);
    expect(dead).toMatchObject({
      outcome: "dead",
      attempt: 9,
      error: "gave up after the last retry",
    });
  });

  it("does not let one dead endpoint hold up the others", async () => {
    const { business } = await businessWithSource();
    const slow = await webhookChannel(business.id, `${uniquePath("hang")}?hang`);
    const goodPath = uniquePath("good");
    const good = await webhookChannel(business.id, goodPath);
    const started = Date.now();
    const pending = consume("anom-notifications", [
      alertMessage(business.id, slow.id),
      alertMessage(business.id, good.id),
    ]);
    // The good endpoint is served while the other one is still hanging.
    expect(await received(goodPath)).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(9000);
    const result = await pending;
    expect(result.retryMessages).toHaveLength(1);
    const log = await deliveries(business.id);
    expect(log.find((d) => d.outcome === "failed")?.error).toMatch(/no answer within/);
  }, 20_000);

  it("backs off exponentially with jitter, capped at an hour", () => {
    expect(retryDelaySeconds(1, () => 0.5)).toBe(10);
    expect(retryDelaySeconds(2, () => 0.5)).toBe(20);
    expect(retryDelaySeconds(4, () => 0.5)).toBe(80);
    expect(retryDelaySeconds(30, () => 0.5)).toBe(3600);
    expect(retryDelaySeconds(3, () => 0)).toBe(32);
    expect(retryDelaySeconds(3, () => 1)).toBe(48);
  });

  it("takes the backoff's base from NOTIFY_RETRY_BASE_SECONDS, 5 s unless it is a positive number", () => {
    expect(retryBaseSeconds("1")).toBe(1);
    expect(retryBaseSeconds("0.5")).toBe(0.5);
    for (const v of [undefined, "", "0", "-3", "soon"]) expect(retryBaseSeconds(v)).toBe(5);
    expect(retryDelaySeconds(1, () => 0.5, 1)).toBe(2);
    expect(retryDelaySeconds(2, () => 0.5, 1)).toBe(4);
    expect(retryDelaySeconds(1, () => 0, 0.5)).toBe(1);
  });
});

describe("Slack and email", () => {
  it("posts a Block Kit message to Slack", async () => {
    const { business } = await businessWithSource();
    const path = uniquePath("slack");
    const channel = await createChannel(business.id, {
      type: "slack",
      url: await receiverUrl(path),
    });
    const m = alertMessage(business.id, channel.id);
    await consume("anom-notifications", [m]);
    const [got] = await received(path);
    const body = JSON.parse(got?.body ?? "{}");
    expect(body.text).toBe(`CRITICAL opened: ${m.alert.summary}`);
    expect(body.blocks[0].text.text).toContain("Camel routes");
    expect(body.blocks[2].elements[0].url).toBe(`http://127.0.0.1:8788/alerts/${m.alert.id}`);
  });

  it("sends a MIME email through the send_email binding", async () => {
    const { business } = await businessWithSource();
    const channel = await createChannel(business.id, { type: "email", to: "ops@example.com" });
    const result = await consume("anom-notifications", [alertMessage(business.id, channel.id)]);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await deliveries(business.id))[0]).toMatchObject({ outcome: "delivered" });
  });
});

describe("from alert to notification", () => {
  it("notifies a rule's channels of alert.opened then alert.resolved, through the DO outbox and the real Queue", async () => {
    const { business, token } = await businessWithSource();
    const path = uniquePath("e2e");
    const channel = await webhookChannel(business.id, path);
    const quiet = await webhookChannel(business.id, uniquePath("info-only"), {
      severities: ["info"],
    });
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      severity: "critical",
      keepFiringFor: "0s",
    });
    await ingest(business.id, token, { routeId: "A", durationMs: 9000 });
    await settle(business.id);
    await ingest(business.id, token, { routeId: "A", durationMs: 10 });
    await settle(business.id);

    const got = await received(path, 2);
    const bodies = got.map(
      (r) =>
        new Webhook(channel.secret).verify(r.body, r.headers) as {
          type: string;
          data: { id: string; status: string };
          url: string;
        },
    );
    expect(bodies.map((b) => b.type)).toEqual(["alert.opened", "alert.resolved"]);
    expect(bodies[0]?.data.status).toBe("open");
    expect(bodies[1]?.data.status).toBe("resolved");
    expect(bodies[0]?.data.id).toBe(bodies[1]?.data.id);
    // The link a person follows: the alert's own page on the configured UI.
    expect(bodies[0]?.url).toBe(`http://127.0.0.1:8788/alerts/${bodies[0]?.data.id}`);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(2);
    expect(quiet.id).toBeDefined();
    const log = await deliveries(business.id);
    expect(log.every((d) => d.outcome === "delivered")).toBe(true);
    expect(log.length).toBe(2);

    // A delivery can be sent again, with the same webhook-id.
    const again = api.v1.deliveries[":id"].resend.$post({ param: { id: log[0]?.id ?? "" } });
    expect(await statusOf(again)).toBe(202);
    const after = await received(path, 3);
    expect(after[2]?.headers["webhook-id"]).toBe(log[0]?.transitionId);
  }, 20_000);

  it("re-notifies an alert that stays open", async () => {
    const { business, token } = await businessWithSource();
    const path = uniquePath("renotify");
    await webhookChannel(business.id, path, { renotifyAfter: "1h" });
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    await ingest(business.id, token, { routeId: "A", durationMs: 9000 });
    await settle(business.id);
    await runInDurableObject(
      env.BUSINESS.get(env.BUSINESS.idFromName(business.id)),
      async (_i, state) => {
        const row = state.storage.sql
          .exec<{ due: number }>(`select due from schedule where kind = 'renotify'`)
          .one();
        expect(row.due).toBeGreaterThan(Date.now() + 59 * 60_000);
        state.storage.sql.exec(`update schedule set due = 1 where kind = 'renotify'`);
        await state.storage.setAlarm(Date.now());
      },
    );
    await settle(business.id);
    const got = await received(path, 2);
    expect(got.map((r) => JSON.parse(r.body).type)).toEqual(["alert.opened", "alert.renotified"]);
    const [alert] = await alertsOf(business.id);
    expect(alert?.status).toBe("open");
  }, 20_000);
});
