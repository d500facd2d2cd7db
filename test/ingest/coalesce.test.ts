import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runInDurableObject,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CoalescedMessage } from "../../workers/business/rpc";
import worker from "../../workers/index";
import { INGEST_QUEUE } from "../../workers/ingest/coalesce";
import { alertsOf, api, businessWithSource, createRule, listEvents, send } from "../helpers";
import { postToEdge } from "./edge";

const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

/** POSTs one request to the worker with coalescing forced on (every request is "under load"). */
const postCoalescing = (
  businessId: string,
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
) => postToEdge(businessId, token, body, { env: { ...env, COALESCE_ABOVE_RPS: "0" }, headers });

async function storedEvents(businessId: string) {
  return runInDurableObject(stubOf(businessId), (_o, state) =>
    state.storage.sql
      .exec<{ route: string; n: number }>(
        `select data ->> '$.routeId' as route, count(*) as n from events group by route`,
      )
      .toArray(),
  );
}

async function eventCount(businessId: string, expected: number, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  let n = 0;
  while (Date.now() < end) {
    const rows = await storedEvents(businessId);
    n = rows.reduce((sum, r) => sum + r.n, 0);
    if (n >= expected) return n;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return n;
}

const event = (i: number, status = "OK") => ({
  timestamp: Date.now() - 1000 + i,
  routeId: `R${i}`,
  durationMs: i,
  status,
});

/** Runs the real consumer on a batch, as the Queue would deliver it. */
async function consume(messages: CoalescedMessage[]) {
  const batch = createMessageBatch<CoalescedMessage>(
    INGEST_QUEUE,
    messages.map((body, i) => ({ id: `q-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("coalesced ingest", () => {
  it("acknowledges once queued, and the real Queue brings every event to the object exactly once; alerts fire", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Failed",
      kind: "immediate",
      keepFiringFor: "0s",
      condition: 'status == "FAILED"',
      groupBy: "routeId",
    });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postCoalescing(business.id, token, event(i, i % 10 === 0 ? "FAILED" : "OK")),
      ),
    );
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(a.path).toBe("coalesced");
      expect(a.json).toEqual({ accepted: 1, rejected: [] });
    }
    expect(await eventCount(business.id, 40)).toBe(40);
    const rows = await storedEvents(business.id);
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(r.n).toBe(1);
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => a.groupKey).sort()).toEqual(["R0", "R10", "R20", "R30"]);
    // The real Queue delivers in batches (up to 1 s apart) and `eventCount` waits up to 15 s
    // for them: 2 s alone, 9.4 s in a full run on two shared cores, past the default 5 s.
  }, 30_000);

  it("counts a redelivered message once, also when it comes twice in one batch", async () => {
    const { business, sourceId } = await businessWithSource();
    const message = (id: string, n: number): CoalescedMessage => ({
      id,
      businessId: business.id,
      version: business.version,
      sourceId,
      receivedAt: Date.now(),
      events: Array.from({ length: n }, (_, i) => ({
        time: Date.now() - 1000 + i,
        data: event(i),
      })),
      rejected: [],
    });
    const a = message("req-a", 3);
    const b = message("req-b", 2);
    const first = await consume([a, b, a]);
    expect(first.explicitAcks.sort()).toEqual(["q-0", "q-1", "q-2"]);
    expect(first.retryMessages).toEqual([]);
    // The Queue delivers a again (its ack was lost), now next to a new request c.
    const second = await consume([message("req-c", 1), a]);
    expect(second.explicitAcks.sort()).toEqual(["q-0", "q-1"]);
    const total = (await storedEvents(business.id)).reduce((sum, r) => sum + r.n, 0);
    expect(total).toBe(3 + 2 + 1);
    const events = (await listEvents(business.id)).items;
    expect(events).toHaveLength(6);
    expect(events[0]?.sourceId).toBe(sourceId);
  });

  it("drops the messages of a deleted business instead of retrying them forever", async () => {
    const { business, sourceId } = await businessWithSource();
    const deleted = await send(api.v1.businesses[":id"].$delete({ param: { id: business.id } }));
    expect(deleted.status).toBe(204);
    const result = await consume([
      {
        id: "gone",
        businessId: business.id,
        version: business.version,
        sourceId,
        receivedAt: Date.now(),
        events: [{ time: Date.now(), data: event(1) }],
        rejected: [],
      },
    ]);
    expect(result.explicitAcks).toEqual(["q-0"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("keeps requests with an Idempotency-Key, and large ones, on the direct path", async () => {
    const { business, token } = await businessWithSource();
    const keyed = await postCoalescing(business.id, token, event(1), { "idempotency-key": "k1" });
    expect(keyed.status).toBe(202);
    expect(keyed.path).toBeNull();
    const large = await postCoalescing(
      business.id,
      token,
      Array.from({ length: 101 }, (_, i) => event(i)),
    );
    expect(large.status).toBe(202);
    expect(large.path).toBeNull();
    // Direct means stored before the answer: readable at once.
    expect((await storedEvents(business.id)).reduce((sum, r) => sum + r.n, 0)).toBe(102);
  });
});
