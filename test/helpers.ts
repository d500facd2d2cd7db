import { SELF } from "cloudflare:test";
import { type ClientResponse, hc, type InferRequestType } from "hono/client";
import { expect } from "vitest";
import type { z } from "zod";
import { Problem } from "../schema/contracts/common";
import { IngestResult } from "../schema/contracts/events";
import type { AppType } from "../workers/api/app";

export const ADMIN = "test-admin-token";
const base = "http://anom.test";

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

/**
 * The API's typed client (hono/client over `AppType`) through the test
 * worker, as `token` (the admin token unless given; null: no credentials).
 * Request bodies, parameters and answers are typed by the routes.
 */
export function client(token: string | null = ADMIN, headers: Record<string, string> = {}) {
  return hc<AppType>(base, {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => SELF.fetch(new Request(input, init)),
    headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers,
  });
}

/** The typed client as the instance owner (the admin token). */
export const api = client();

/** One variant per status the route declares: `json` is that answer's body. */
type Answer<R> =
  R extends ClientResponse<infer T, infer S, string>
    ? { status: S; headers: Headers; json: T }
    : never;

/** Sends a typed client's request: the status, headers and JSON body of the answer. */
export async function send<R extends ClientResponse<unknown, number, string>>(
  request: Promise<R>,
): Promise<Answer<R>> {
  const res = await request;
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, json } as Answer<R>;
}

/** A typed answer narrowed to `status`; one whose status is any number (from `raw()`) as it is. */
type Narrowed<A, S> = number extends (A extends { status: infer T } ? T : never)
  ? A
  : Extract<A, { status: S }>;

/** The status a typed client's request is answered with. */
export async function statusOf(request: Promise<{ status: number; text(): Promise<string> }>) {
  const res = await request;
  await res.text();
  return res.status;
}

/** Fails unless the answer has `status` (showing its body), and narrows `json` to that answer's type. */
export function expectStatus<A extends { status: number; json: unknown }, S extends A["status"]>(
  res: A,
  status: S,
): asserts res is Narrowed<A, S> {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
}

/** The body of an answer that must have `status`, typed by the route. */
export function bodyOf<A extends { status: number; json: unknown }, S extends A["status"]>(
  res: A,
  status: S,
): Narrowed<A, S>["json"] {
  expectStatus(res, status);
  return res.json;
}

/**
 * A request body sent as it is, outside the route's types: one the schema
 * refuses, on purpose, to see the 422, or one built from a table of cases.
 */
export const untypedBody = (body: unknown) => body as never;

/**
 * Calls the API worker with a raw request, for what the typed client cannot
 * express: bodies that are not JSON or not valid, raw bodies, other content
 * types, routes outside `AppType` (ingest, live, health) or iterated from
 * /openapi.json. The body is `unknown`: narrow it before use.
 */
export async function raw(method: string, path: string, options: CallOptions = {}) {
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
  const json: unknown = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, json };
}

/** Whether a JSON value passes `schema` (checked, not assumed); the value is left as it is. */
export function matches<T extends z.ZodType>(schema: T, value: unknown): value is z.output<T> {
  return schema.safeParse(value).success;
}

/** The body of a problem answer (RFC 9457), checked against the contract and the status. */
export function problemOf(res: { status: number; json: unknown }): ProblemJson {
  if (!matches(Problem, res.json)) throw new Error(`not a problem: ${JSON.stringify(res.json)}`);
  expect(res.json.status).toBe(res.status);
  return res.json;
}

/** A problem body (RFC 9457) as the contract declares it. */
export type ProblemJson = z.output<typeof Problem>;

const PROBLEM_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503] as const;
type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
const isProblemStatus = (status: number): status is ProblemStatus =>
  PROBLEM_STATUSES.some((s) => s === status);

/** A refused ingest request: a problem, with the per-event result when every event was refused. */
const IngestProblem = Problem.extend(IngestResult.partial().shape);

/** An ingest answer: 202 with the result, or a problem; both checked against the contract. */
export type IngestAnswer =
  | { status: 202; headers: Headers; json: IngestResult }
  | {
      [S in ProblemStatus]: { status: S; headers: Headers; json: z.output<typeof IngestProblem> };
    }[ProblemStatus];

/** A raw ingest answer checked against the contract: the result on 202, else a problem. */
export function ingestAnswer(res: {
  status: number;
  headers: Headers;
  json: unknown;
}): IngestAnswer {
  const { status, headers, json } = res;
  if (status === 202 && matches(IngestResult, json)) return { status, headers, json };
  if (isProblemStatus(status) && matches(IngestProblem, json)) {
    expect(json.status).toBe(status);
    return { status, headers, json };
  }
  throw new Error(`ingest: unexpected answer ${status} ${JSON.stringify(json)}`);
}

/** POSTs events to the ingest endpoint with a source token (the route is outside `AppType`). */
export async function ingest(
  businessId: string,
  token: string | null,
  events: unknown,
  headers: Record<string, string> = {},
): Promise<IngestAnswer> {
  return ingestAnswer(
    await raw("POST", `/v1/ingest/${businessId}`, { token, body: events, headers }),
  );
}

/** A business as POST /v1/businesses takes it. */
export type BusinessCreate = InferRequestType<typeof api.v1.businesses.$post>["json"];
let counter = 0;

/** A fresh business for one test; tests never share rows. */
export async function createBusiness(overrides: Partial<BusinessCreate> = {}) {
  counter += 1;
  const res = await send(
    api.v1.businesses.$post({
      json: {
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
    }),
  );
  if (res.status !== 201)
    throw new Error(`createBusiness: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

export async function createSource(businessId: string, name = "camel-prod") {
  const res = await send(
    api.v1.businesses[":id"].sources.$post({ param: { id: businessId }, json: { name } }),
  );
  if (res.status !== 201)
    throw new Error(`createSource: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** A business with one source, ready to receive events. */
export async function businessWithSource(overrides: Partial<BusinessCreate> = {}) {
  const business = await createBusiness(overrides);
  const source = await createSource(business.id);
  return { business, token: source.token, sourceId: source.id };
}

/** A query string (`a=1&b=2`) as the typed client's query object. */
export const queryOf = (query: string) => Object.fromEntries(new URLSearchParams(query));

export async function listEvents(businessId: string, query = "") {
  const res = await send(
    api.v1.businesses[":id"].events.$get({ param: { id: businessId }, query: queryOf(query) }),
  );
  if (res.status !== 200) throw new Error(`listEvents: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** A rule's definition as POST /v1/businesses/{id}/rules takes it. */
export type RuleCreate = InferRequestType<
  (typeof api.v1.businesses)[":id"]["rules"]["$post"]
>["json"];

export async function createRule(businessId: string, body: RuleCreate) {
  const res = await send(
    api.v1.businesses[":id"].rules.$post({ param: { id: businessId }, json: body }),
  );
  if (res.status !== 201) throw new Error(`createRule: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
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
  const res = await send(api.v1.alerts.$get({ query: { businessId, ...queryOf(query) } }));
  if (res.status !== 200) throw new Error(`alertsOf: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.items;
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

/** A business's series (GET …/series) for a query string, as a 200 answer. */
export async function seriesAnswer(businessId: string, query: string) {
  return bodyOf(
    await send(
      api.v1.businesses[":id"].series.$get({ param: { id: businessId }, query: queryOf(query) }),
    ),
    200,
  );
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

/** A rule change as PATCH /v1/businesses/{id}/rules/{ruleId} takes it. */
export type RulePatch = InferRequestType<
  (typeof api.v1.businesses)[":id"]["rules"][":ruleId"]["$patch"]
>["json"];

/** Changes a rule; it must be answered 200. */
export async function patchRule(businessId: string, ruleId: string, json: RulePatch) {
  const res = await send(
    api.v1.businesses[":id"].rules[":ruleId"].$patch({ param: { id: businessId, ruleId }, json }),
  );
  return bodyOf(res, 200);
}

/** A channel as POST /v1/businesses/{id}/channels takes it. */
export type ChannelCreate = InferRequestType<
  (typeof api.v1.businesses)[":id"]["channels"]["$post"]
>["json"];

/** Adds a channel; it must be answered 201. */
export async function createChannel(businessId: string, json: ChannelCreate) {
  const res = await send(
    api.v1.businesses[":id"].channels.$post({ param: { id: businessId }, json }),
  );
  return bodyOf(res, 201);
}

/** One alert with its history (an unknown id, such as a missing alert's, answers 404). */
export const getAlert = (id = "") => send(api.v1.alerts[":id"].$get({ param: { id } }));

/** A silence as POST /v1/businesses/{id}/silences takes it. */
export type SilenceCreate = InferRequestType<
  (typeof api.v1.businesses)[":id"]["silences"]["$post"]
>["json"];

/** Adds a silence; it must be answered 201. */
export async function createSilence(businessId: string, json: SilenceCreate) {
  const res = await send(
    api.v1.businesses[":id"].silences.$post({ param: { id: businessId }, json }),
  );
  return bodyOf(res, 201);
}

/** Resolves, acknowledges or forgets an alert by hand (a missing alert's id answers 404). */
export const alertAction = (action: "resolve" | "ack" | "forget", id = "") =>
  send(api.v1.alerts[":id"][action].$post({ param: { id } }));

/** Opens a business's live socket as a client would; collects its messages. */
export async function connectLive(businessId: string) {
  const res = await SELF.fetch(`http://anom.test/v1/businesses/${businessId}/live`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${ADMIN}` },
  });
  expect(res.status).toBe(101);
  const ws = res.webSocket;
  if (!ws) throw new Error("no socket");
  const messages: { type: string }[] = [];
  ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data))));
  ws.accept();
  return { ws, messages };
}

/** Waits up to `tries` × 10 ms for `check` to hold; returns whether it does. */
export async function until(check: () => boolean, tries = 200) {
  for (let i = 0; i < tries && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  return check();
}
