import { SELF } from "cloudflare:test";

export const ADMIN = "test-admin-token";
const base = "http://anom.test";

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

/** Calls the API worker as a client would, through its fetch handler. */
export async function call(method: string, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers);
  const token = options.token === undefined ? ADMIN : options.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(options.body);
  }
  const res = await SELF.fetch(base + path, { method, headers, body });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response bodies
  const json: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, json };
}

let counter = 0;

/** A fresh business for one test; tests never share rows. */
export async function createBusiness(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const res = await call("POST", "/v1/businesses", {
    body: {
      name: `Camel routes ${counter}`,
      timezone: "Europe/Berlin",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "routeId", type: "string", required: true },
        { name: "durationMs", type: "number", required: true, unit: "ms" },
        { name: "status", type: "enum", values: ["OK", "FAILED"] },
      ],
      ...overrides,
    },
  });
  if (res.status !== 201)
    throw new Error(`createBusiness: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string; fields: { name: string }[]; version: number };
}

export async function createSource(businessId: string, name = "camel-prod") {
  const res = await call("POST", `/v1/businesses/${businessId}/sources`, { body: { name } });
  if (res.status !== 201)
    throw new Error(`createSource: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string; token: string };
}

/** POSTs events to the ingest endpoint with a source token. */
export function ingest(
  businessId: string,
  token: string | null,
  events: unknown,
  headers: Record<string, string> = {},
) {
  return call("POST", `/v1/ingest/${businessId}`, { token, body: events, headers });
}

/** A business with one source, ready to receive events. */
export async function businessWithSource(overrides: Record<string, unknown> = {}) {
  const business = await createBusiness(overrides);
  const source = await createSource(business.id);
  return { business, token: source.token, sourceId: source.id };
}

export async function listEvents(businessId: string, query = "") {
  const res = await call("GET", `/v1/businesses/${businessId}/events${query ? `?${query}` : ""}`);
  if (res.status !== 200) throw new Error(`listEvents: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as {
    items: { id: string; time: string; data: Record<string, unknown> }[];
    nextCursor: string | null;
  };
}

export async function createRule(businessId: string, body: Record<string, unknown>) {
  const res = await call("POST", `/v1/businesses/${businessId}/rules`, { body });
  if (res.status !== 201) throw new Error(`createRule: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string };
}

export interface AlertJson {
  id: string;
  ruleId: string;
  groupKey: string;
  status: string;
  severity: string;
  summary: string;
  count: number;
  eventTime: string;
  resolution: string | null;
  historical: boolean;
  context: Record<string, unknown>;
  silenced: boolean;
  inhibited: boolean;
}

/**
 * Runs the business's due alarm work (rule timers, the D1 alert index) until
 * nothing is due and every alert change reached D1. The alarm may also fire on
 * its own meanwhile; this waits for the state, not for a particular run.
 */
export async function settle(businessId: string) {
  const { env, runDurableObjectAlarm, runInDurableObject } = await import("cloudflare:test");
  const stub = env.BUSINESS.get(env.BUSINESS.idFromName(businessId));
  for (let i = 0; i < 200; i++) {
    await runDurableObjectAlarm(stub);
    const idle = await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      const queued = sql.exec<{ n: number }>(`select count(*) as n from outbox`).one().n;
      const due = sql
        .exec<{ n: number }>(`select count(*) as n from schedule where due <= ?`, Date.now())
        .one().n;
      return queued === 0 && due === 0;
    });
    if (idle) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`business ${businessId} did not settle`);
}

export async function alertsOf(businessId: string, query = "") {
  await settle(businessId);
  const res = await call("GET", `/v1/alerts?businessId=${businessId}${query ? `&${query}` : ""}`);
  if (res.status !== 200) throw new Error(`alertsOf: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.items as AlertJson[];
}

/** The real HTTP receiver started by test/support/receiver.ts. */
export async function receiverUrl(path: string) {
  const { inject } = await import("vitest");
  return `http://127.0.0.1:${inject("receiverPort")}${path}`;
}

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** What the receiver got at a path, waiting (bounded) until at least `count` requests arrived. */
export async function received(path: string, count = 1, timeoutMs = 8000): Promise<Received[]> {
  const base = await receiverUrl("");
  const until = Date.now() + timeoutMs;
  for (;;) {
    const list: Received[] = await (
      await fetch(`${base}/_received?path=${encodeURIComponent(path)}`)
    ).json();
    if (list.length >= count || Date.now() > until) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the business's rollup job from the alarm now, as it would run ~30 s after the events. */
export async function rollUpNow(businessId: string) {
  const { env, runDurableObjectAlarm, runInDurableObject } = await import("cloudflare:test");
  const stub = env.BUSINESS.get(env.BUSINESS.idFromName(businessId));
  for (let i = 0; i < 20; i++) {
    const due = await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      sql.exec(`update schedule set due = 0 where kind = 'rollup'`);
      return sql
        .exec<{ n: number }>(`select count(*) as n from schedule where kind = 'rollup'`)
        .one().n;
    });
    if (due === 0) return;
    await runDurableObjectAlarm(stub);
  }
  throw new Error(`business ${businessId}: the rollup job did not finish`);
}
