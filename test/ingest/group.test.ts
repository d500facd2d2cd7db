import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { BusinessMonitor } from "../../workers/business/monitor";
import type { GroupedRequest } from "../../workers/business/rpc";
import { placeName } from "../../workers/business/shards/route";
import { businessWithSource, expectStatus, ingestAnswer } from "../helpers";
import { postToEdge } from "./edge";

/** What the edge asked of the business's objects, in order, with what each call carried. */
type Entry =
  | { kind: "ingest"; routes: string[] }
  | { kind: "group"; routes: string[] }
  | { kind: "stored"; routes: string[] }
  | { kind: "answer"; route: string; status: number };

const routesOf = (events: { data: Record<string, unknown> }[]) =>
  events.map((e) => String(e.data.routeId));

/**
 * The BUSINESS namespace as the edge sees it, each object's `ingest` and
 * `ingestGroup` logged (and `ingestGroup` failing when asked), the calls
 * themselves real.
 */
function watched(log: Entry[], failGroups = false): Env {
  const ns = env.BUSINESS;
  const stubOf = (id: DurableObjectId) => {
    const stub = ns.get(id);
    return new Proxy(stub, {
      get(target, prop) {
        if (prop === "ingest") {
          return async (batch: { events: { data: Record<string, unknown> }[] }) => {
            log.push({ kind: "ingest", routes: routesOf(batch.events) });
            const outcome = await target.ingest(batch as never);
            log.push({ kind: "stored", routes: routesOf(batch.events) });
            return outcome;
          };
        }
        if (prop === "ingestGroup") {
          return async (businessId: string, messages: GroupedRequest[]) => {
            const routes = messages.flatMap((m) => routesOf(m.events));
            log.push({ kind: "group", routes });
            if (failGroups) throw new Error("the object is unreachable");
            const outcome = await target.ingestGroup(businessId, messages);
            log.push({ kind: "stored", routes });
            return outcome;
          };
        }
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  const business = new Proxy(ns, {
    get(target, prop) {
      if (prop === "get") return stubOf;
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { ...env, BUSINESS: business, COALESCE_ABOVE_RPS: "off" };
}

async function post(
  businessId: string,
  token: string,
  body: unknown,
  testEnv: Env,
  log: Entry[],
  headers: Record<string, string> = {},
) {
  const route = Array.isArray(body) ? "" : String((body as { routeId?: unknown }).routeId);
  const res = await postToEdge(businessId, token, body, {
    env: testEnv,
    headers,
    answered: (r) => log.push({ kind: "answer", route, status: r.status }),
  });
  return { ...ingestAnswer(res), path: res.path };
}

const event = (i: number) => ({
  timestamp: Date.now() - 1000 + i,
  routeId: `R${i}`,
  durationMs: i,
  status: "OK",
});

/** Events per route in one of the business's objects. */
async function storedRoutes(businessId: string, shard = 0) {
  const name = placeName(businessId, { role: "shard", shard });
  const stub = env.BUSINESS.get(env.BUSINESS.idFromName(name));
  const rows = await runInDurableObject(stub, (_o: BusinessMonitor, state) =>
    state.storage.sql
      .exec<{ route: string; n: number }>(
        `select data ->> '$.routeId' as route, count(*) as n from events group by route`,
      )
      .toArray(),
  );
  return new Map(rows.map((r) => [r.route, r.n]));
}

/** Every request answered 202 came after the call that stored its event returned. */
function answeredOnlyWhenDurable(log: Entry[]) {
  const durable = new Set<string>();
  for (const entry of log) {
    if (entry.kind === "stored") for (const r of entry.routes) durable.add(r);
    if (entry.kind === "answer" && entry.status === 202) expect(durable).toContain(entry.route);
  }
}

describe("group commit of single-event requests", () => {
  it("stores concurrent requests to one business in a few calls, each event once, each answered once durable", async () => {
    const { business, token } = await businessWithSource();
    const log: Entry[] = [];
    const testEnv = watched(log);
    const n = 24;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => post(business.id, token, event(i), testEnv, log)),
    );
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(a.json).toEqual({ accepted: 1, rejected: [] });
    }
    // Nothing was in flight for the first: it went direct, the others waited and went together.
    expect(answers[0]?.path).toBeNull();
    const grouped = answers.filter((a) => a.path === "grouped");
    expect(grouped.length).toBeGreaterThan(0);
    const calls = log.filter((e) => e.kind === "ingest" || e.kind === "group");
    expect(calls.length).toBeLessThan(n);
    // One call per group: every request went in exactly one call.
    const sent = calls.flatMap((c) => c.routes).sort();
    expect(sent).toEqual(Array.from({ length: n }, (_, i) => `R${i}`).sort());
    expect(calls.filter((c) => c.kind === "group").some((c) => c.routes.length > 1)).toBe(true);
    const stored = await storedRoutes(business.id);
    expect(stored.size).toBe(n);
    for (const count of stored.values()) expect(count).toBe(1);
    answeredOnlyWhenDurable(log);
  });

  it("sends requests that come one after another direct, one call each, with no group", async () => {
    const { business, token } = await businessWithSource();
    const log: Entry[] = [];
    const testEnv = watched(log);
    for (let i = 0; i < 5; i++) {
      const a = await post(business.id, token, event(i), testEnv, log);
      expect(a.status).toBe(202);
      expect(a.path).toBeNull();
    }
    expect(log.filter((e) => e.kind === "group")).toEqual([]);
    expect(log.filter((e) => e.kind === "ingest")).toHaveLength(5);
    expect((await storedRoutes(business.id)).size).toBe(5);
  });

  it("rejects a bad event in a concurrent burst alone; a partly bad request keeps its own rejections", async () => {
    const { business, token } = await businessWithSource();
    const log: Entry[] = [];
    const testEnv = watched(log);
    const bodies: unknown[] = Array.from({ length: 12 }, (_, i) => event(i));
    bodies[5] = { ...event(5), durationMs: "slow" };
    bodies[8] = [event(8), { routeId: "R8b" }];
    const answers = await Promise.all(
      bodies.map((body) => post(business.id, token, body, testEnv, log)),
    );
    const [bad, partly] = [answers[5], answers[8]];
    if (!bad || !partly) throw new Error("an answer is missing");
    expectStatus(bad, 422);
    expect(bad.json.errors?.[0]?.path).toBe("0.durationMs");
    expectStatus(partly, 202);
    expect(partly.json.accepted).toBe(1);
    expect(partly.json.rejected).toEqual([
      { index: 1, errors: [expect.objectContaining({ path: "durationMs" })] },
    ]);
    answers.forEach((a, i) => {
      if (i !== 5) expect(a.status).toBe(202);
    });
    expect(answers.some((a) => a.path === "grouped")).toBe(true);
    const stored = await storedRoutes(business.id);
    expect(stored.has("R5")).toBe(false);
    expect(stored.has("R8b")).toBe(false);
    expect(stored.size).toBe(11);
  });

  it("fails every request of a group whose call failed: no 202 for an event that is not durable", async () => {
    const { business, token } = await businessWithSource();
    const log: Entry[] = [];
    const testEnv = watched(log, true);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(business.id, token, event(i), testEnv, log)),
    );
    const groups = log.filter((e) => e.kind === "group");
    expect(groups.length).toBeGreaterThan(0);
    const failed = new Set(groups.flatMap((g) => g.routes));
    answers.forEach((a, i) => {
      // The direct requests were stored; every member of a failed group got a 500.
      expect(a.status).toBe(failed.has(`R${i}`) ? 500 : 202);
    });
    const stored = await storedRoutes(business.id);
    for (const route of failed) expect(stored.has(route)).toBe(false);
    expect(stored.size).toBe(10 - failed.size);
    answeredOnlyWhenDurable(log);
  });

  it("keeps requests with an Idempotency-Key direct, replayed as before", async () => {
    const { business, token } = await businessWithSource();
    const log: Entry[] = [];
    const testEnv = watched(log);
    const bodies = [event(0), event(1), event(2)];
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        post(business.id, token, bodies[i % 3], testEnv, log, { "idempotency-key": `k${i % 3}` }),
      ),
    );
    for (const a of answers) {
      expect(a.status).toBe(202);
      expect(a.path).toBeNull();
    }
    expect(answers.filter((a) => a.json.accepted === 1)).toHaveLength(6);
    expect(log.filter((e) => e.kind === "group")).toEqual([]);
    const stored = await storedRoutes(business.id);
    expect([...stored.values()]).toEqual([1, 1, 1]);
  });

  it("groups per shard in a sharded business: each event stored once, in its shard", async () => {
    const { business, token } = await businessWithSource({ shards: 2, shardKey: "routeId" });
    const log: Entry[] = [];
    const testEnv = watched(log);
    const n = 20;
    const answers = await Promise.all(
      Array.from({ length: n }, (_, i) => post(business.id, token, event(i), testEnv, log)),
    );
    for (const a of answers) expect(a.status).toBe(202);
    expect(answers.some((a) => a.path === "grouped")).toBe(true);
    const [zero, one] = [await storedRoutes(business.id, 0), await storedRoutes(business.id, 1)];
    expect(zero.size + one.size).toBe(n);
    for (const route of zero.keys()) expect(one.has(route)).toBe(false);
    for (const count of [...zero.values(), ...one.values()]) expect(count).toBe(1);
    // A group goes to one shard: its routes are all in that shard's object.
    for (const g of log.filter((e) => e.kind === "group")) {
      const home = zero.has(g.routes[0] ?? "") ? zero : one;
      for (const r of g.routes) expect(home.has(r)).toBe(true);
    }
    answeredOnlyWhenDurable(log);
  });

  it("answers each request of a group with its own result, per-event keys deduplicated in the group's order", async () => {
    const { business, sourceId } = await businessWithSource();
    const stub = env.BUSINESS.get(env.BUSINESS.idFromName(business.id));
    const request = (i: number, key?: string): GroupedRequest => ({
      version: business.version,
      sourceId,
      receivedAt: Date.now(),
      events: [{ time: Date.now() - 1000, data: event(i), ...(key ? { key } : {}) }],
      rejected:
        i === 2 ? [{ index: 1, errors: [{ path: "durationMs", message: "is required" }] }] : [],
    });
    const outcome = await stub.ingestGroup(business.id, [
      request(1, "k1"),
      request(2),
      request(3, "k1"),
    ]);
    expect(outcome.results).toEqual([
      { accepted: 1, rejected: [] },
      {
        accepted: 1,
        rejected: [{ index: 1, errors: [{ path: "durationMs", message: "is required" }] }],
      },
      { accepted: 0, rejected: [], duplicates: 1 },
    ]);
    const stored = await storedRoutes(business.id);
    expect([...stored.entries()].sort()).toEqual([
      ["R1", 1],
      ["R2", 1],
    ]);
  });
});
