import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { Business, timeFieldProblem } from "../../schema/contracts/businesses";
import { Channel } from "../../schema/contracts/channels";
import { StoredEvent } from "../../schema/contracts/events";
import { Rule } from "../../schema/contracts/rules";
import { compileRule } from "../../workers/business/engine/compile";
import { MAX_KEY_LENGTH, MAX_STRING_LENGTH } from "../../workers/ingest/limits";
import { MAX_TIME_MS } from "../../workers/lib/time";
import {
  ADMIN,
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createChannel,
  createRule,
  ingest,
  queryOf,
  raw,
  receiverUrl,
  send,
} from "../helpers";
import {
  fromSchema,
  hostileKey,
  hostileString,
  hostileValue,
  type JsonSchema,
} from "./schema-arbitrary";

/**
 * The API fuzzes itself: for every operation in its own OpenAPI document, hostile
 * path parameters, query parameters and bodies (near-valid values from the
 * schemas, their boundaries, and anything at all), with ids of the business
 * under test, of another business and made up. Every answer must be below 500,
 * every error problem+json, nothing of the other business may show or change,
 * and what is stored afterwards must still satisfy the contracts.
 */

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; schema?: JsonSchema; required?: boolean }[];
  body?: JsonSchema;
}

interface Tenant {
  id: string;
  token: string;
  sourceId: string;
  ruleId: string;
  channelId: string;
  secret: string;
  alertId: string;
}

async function tenant(): Promise<Tenant> {
  const { business, token, sourceId } = await businessWithSource();
  const rule = await createRule(business.id, {
    name: "Slow",
    kind: "immediate",
    condition: "durationMs > 5000",
  });
  const channel = await createChannel(business.id, {
    type: "webhook",
    url: await receiverUrl(`/fuzz-${business.id}`),
  });
  if (!channel.secret) throw new Error("fixture: no webhook secret");
  await ingest(business.id, token, {
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    routeId: "SFTP-A",
    durationMs: 9000,
    status: "FAILED",
  });
  const [alert] = await alertsOf(business.id);
  if (!alert) throw new Error("fixture: no alert");
  return {
    id: business.id,
    token,
    sourceId,
    ruleId: rule.id,
    channelId: channel.id,
    secret: channel.secret,
    alertId: alert.id,
  };
}

/** Every trace of a tenant that must never show through another tenant's routes. */
const tracesOf = (t: Tenant) => [
  t.id,
  t.token,
  t.sourceId,
  t.ruleId,
  t.channelId,
  t.secret,
  t.alertId,
];

async function snapshot(t: Tenant) {
  const base = `/v1/businesses/${t.id}`;
  const parts = await Promise.all(
    [
      base,
      `${base}/rules`,
      `${base}/channels`,
      `${base}/sources`,
      `${base}/events?limit=1000`,
      `${base}/view`,
    ].map(async (p) => (await raw("GET", p)).json),
  );
  const alerts = (await send(api.v1.alerts.$get({ query: { businessId: t.id } }))).json;
  return JSON.stringify([parts, alerts]);
}

function operations(doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Operation["parameters"];
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
}): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content["application/json"]?.schema,
      });
    }
  }
  return ops;
}

/** The parts of the OpenAPI document the fuzzer reads. */
type OpenApiDoc = Parameters<typeof operations>[0] & {
  components: { schemas: Record<string, JsonSchema> };
};

function isOpenApiDoc(value: unknown): value is OpenApiDoc {
  return typeof value === "object" && value !== null && "paths" in value && "components" in value;
}

/** `arbitrary` in `weight` of `weight + absent` cases, otherwise undefined. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, weight: number, absent: number) {
  return fc.oneof({ weight, arbitrary }, { weight: absent, arbitrary: fc.constant(undefined) });
}

/** Percent-encodes a path segment; a lone surrogate becomes bytes that are not UTF-8 at all. */
function encodePathPart(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return `${encodeURIComponent(value.toWellFormed())}%ED%A0%80`;
  }
}

interface Request {
  path: string;
  owner: "mine" | "other" | "none";
  token: string | null;
  contentType: string | null;
  body: string | undefined;
}

describe("the API under hostile input (fast-check, from /openapi.json)", () => {
  it("never answers 5xx, always problem+json on errors, leaks and changes nothing of another business, stores nothing invalid", {
    timeout: 600_000,
  }, async () => {
    const { runs, seed } = inject("fuzz");
    const openapi = await raw("GET", "/openapi.json", { token: null });
    expect(openapi.status).toBe(200);
    if (!isOpenApiDoc(openapi.json)) throw new Error("/openapi.json: not an OpenAPI document");
    const doc = openapi.json;
    const resolve = (ref: string) =>
      doc.components.schemas[ref.split("/").pop() as string] as JsonSchema;
    const mine = await tenant();
    const other = await tenant();
    const otherBefore = await snapshot(other);
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(30);

    const fieldNames = ["timestamp", "routeId", "durationMs", "status"];
    const stats = {
      requests: 0,
      byStatus: new Map<number, number>(),
      byOp: new Map<string, string>(),
    };

    for (const op of ops) {
      // A heartbeat ping stores an event whatever its method.
      const ping = op.path.startsWith("/ping/");
      // Ways in that take a source token for the business in the path.
      const sourceRoute = /^\/v1\/(ingest|cloudevents|otlp)\//.test(op.path);
      const otlp = op.path.startsWith("/v1/otlp/");
      const mutating = op.method !== "GET" || ping;
      const isBusinessRoute = op.path.startsWith("/v1/businesses/{id}");
      const leaf = op.path.match(/\{(\w+)\}$/)?.[1];

      /** A path parameter: an id of the business under test, of the other one, or made up. */
      const param = (name: string): fc.Arbitrary<{ value: string; owner: Request["owner"] }> => {
        const idOf = (t: Tenant): string | undefined => {
          if (op.path.startsWith("/v1/alerts")) return t.alertId;
          if (name === "sourceToken") return t.token;
          if (sourceRoute || (name === "id" && isBusinessRoute)) return t.id;
          if (name === "id" && op.path === "/v1/businesses/{id}") return t.id;
          return { channelId: t.channelId, ruleId: t.ruleId, sourceId: t.sourceId }[name];
        };
        const made = hostileString.map((value) => ({ value, owner: "none" as const }));
        if (name === "name") {
          return fc.oneof(
            fc.constantFrom(...fieldNames).map((value) => ({ value, owner: "mine" as const })),
            made,
          );
        }
        const m = idOf(mine);
        const o = idOf(other);
        // Never delete the fixtures themselves: deleting the business under test (or
        // revoking its token) would end the run; deleting through it must not touch the other.
        const protect = op.method === "DELETE" && name === leaf;
        const mutatingOther =
          mutating &&
          (name === "id" ||
            name === "businessId" ||
            name === "sourceToken" ||
            op.path.startsWith("/v1/alerts"));
        const choices: fc.Arbitrary<{ value: string; owner: Request["owner"] }>[] = [made];
        if (m && !protect) choices.push(fc.constant({ value: m, owner: "mine" as const }));
        if (o && !mutatingOther) choices.push(fc.constant({ value: o, owner: "other" as const }));
        return fc.oneof(...choices);
      };

      const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const queryParams = op.parameters.filter((p) => p.in === "query");
      const request: fc.Arbitrary<Request> = fc
        .record({
          path: fc.tuple(...pathParams.map(param)),
          query: fc.tuple(
            ...queryParams.map((p) =>
              sometimes(
                fc.oneof(
                  ...(p.name === "businessId" ? [fc.constant(mine.id)] : []),
                  fromSchema(p.schema, resolve).map((v) =>
                    typeof v === "string" ? v : (JSON.stringify(v) ?? ""),
                  ),
                  hostileString,
                ),
                1,
                1,
              ),
            ),
          ),
          token: fc.oneof(
            { weight: 8, arbitrary: fc.constant("auto") },
            { weight: 1, arbitrary: fc.constantFrom(null, "nope", ADMIN.toUpperCase(), "other") },
          ),
          body: op.path.startsWith("/v1/ingest")
            ? fc.oneof(
                fc.array(
                  fc.dictionary(
                    fc.oneof(fc.constantFrom(...fieldNames), hostileKey),
                    hostileValue,
                    {
                      maxKeys: 6,
                    },
                  ),
                  { maxLength: 4 },
                ),
                fc.dictionary(fc.constantFrom(...fieldNames), hostileValue),
                hostileValue,
                // Near-valid events, any field possibly hostile, so some are stored.
                fc.array(
                  fc.record({
                    timestamp: fc.oneof(
                      fc
                        .integer({ min: -3_600_000, max: 0 })
                        .map((d) => new Date(Date.now() + d).toISOString()),
                      fc.integer({ min: -3_600_000, max: 0 }).map((d) => Date.now() + d),
                      hostileValue,
                    ),
                    routeId: fc.oneof(fc.string({ maxLength: 10 }), hostileValue),
                    durationMs: fc.oneof(
                      fc.double({ noNaN: true, noDefaultInfinity: true }),
                      hostileValue,
                    ),
                    status: fc.oneof(fc.constantFrom("OK", "FAILED"), hostileValue),
                  }),
                  { minLength: 1, maxLength: 5 },
                ),
              )
            : op.body
              ? fromSchema(op.body, resolve)
              : fc.constant(undefined),
          raw: sometimes(
            fc.oneof(fc.constantFrom("{", "[1,", '{"a":1}\n{', "\u0000", "null"), fc.string()),
            1,
            8,
          ),
          contentType: fc.oneof(
            { weight: 8, arbitrary: fc.constant("application/json") },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                null,
                "text/plain",
                "application/x-ndjson",
                "multipart/form-data",
              ),
            },
          ),
        })
        .map(({ path, query, token, body, raw, contentType }) => {
          let url = op.path;
          let owner = "none" as Request["owner"];
          for (const [i, p] of path.entries()) {
            url = url.replace(`{${pathParams[i]}}`, encodePathPart(p.value));
            if (["id", "businessId", "sourceToken"].includes(pathParams[i] ?? "")) owner = p.owner;
          }
          const qs = new URLSearchParams();
          query.forEach((v, i) => {
            if (v !== undefined) qs.set(queryParams[i]?.name ?? "x", v);
          });
          const ingesting = sourceRoute;
          const resolved =
            token === "auto"
              ? ingesting
                ? owner === "other"
                  ? other.token
                  : mine.token
                : ADMIN
              : token === "other"
                ? other.token
                : token;
          const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
          return {
            path: `${url}${qs.size ? `?${qs}` : ""}`,
            owner,
            token: resolved,
            contentType: text === undefined ? null : contentType,
            body: op.method === "GET" || op.method === "HEAD" ? undefined : text,
          };
        });

      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const headers = new Headers();
          if (r.token) headers.set("authorization", `Bearer ${r.token}`);
          if (r.contentType) headers.set("content-type", r.contentType);
          const res = await SELF.fetch(`http://anom.test${r.path}`, {
            method: op.method,
            headers,
            body: r.body,
          });
          const text = await res.text();
          stats.requests += 1;
          stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
          const key = `${op.method} ${op.path}`;
          stats.byOp.set(key, `${stats.byOp.get(key) ?? ""} ${res.status}`);
          const where = `${op.method} ${r.path.slice(0, 300)} -> ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, where).toBeLessThan(500);
          if (ping && res.headers.get("content-type")?.startsWith("text/plain")) {
            // Healthchecks' own answers: "OK", or "not found" for an unknown token or URL.
            const expected = res.status === 200 ? "OK" : "not found";
            expect([200, 404], where).toContain(res.status);
            expect(text, where).toBe(op.method === "HEAD" ? "" : expected);
          } else if (otlp) {
            // OTLP answers in the request's encoding, failures as a google.rpc.Status.
            const type = res.headers.get("content-type") ?? "";
            if (type.startsWith("application/json")) {
              const parsed = JSON.parse(text);
              if (res.status >= 400)
                expect(parsed, where).toMatchObject({ code: expect.any(Number) });
            } else expect(type, where).toBe("application/x-protobuf");
          } else if (res.status >= 400) {
            expect(res.headers.get("content-type"), where).toBe("application/problem+json");
            // A HEAD answer carries the headers only.
            if (op.method !== "HEAD") {
              expect(JSON.parse(text), where).toMatchObject({
                type: expect.any(String),
                title: expect.any(String),
                status: res.status,
                detail: expect.any(String),
              });
            }
          } else if (res.status !== 204) {
            expect(res.headers.get("content-type"), where).toMatch(/^application\/json/);
          }
          // Through the business under test (or a made-up id), nothing of the other shows.
          // The business list, its summary and the unfiltered alert list span businesses by
          // design (the admin token sees them all); filtered by the business under test, they must not.
          const filter = new URL(r.path, "http://anom.test").searchParams.get("businessId");
          const spansBusinesses =
            op.path === "/v1/businesses" ||
            op.path === "/v1/businesses/summary" ||
            (op.path === "/v1/alerts" && filter !== mine.id);
          if (r.owner !== "other" && !spansBusinesses) {
            // A trace the request itself carried (a 404 naming the id asked for) is no leak.
            const asked = `${r.path} ${r.body ?? ""}`;
            for (const trace of tracesOf(other)) {
              if (!asked.includes(trace)) expect(text.includes(trace), where).toBe(false);
            }
          }
        }),
        { seed, numRuns: runs, endOnFailure: true },
      );
    }

    // Nothing of the other business changed.
    expect(await snapshot(other)).toBe(otherBefore);

    // Everything stored for the business under test still satisfies the contracts.
    const param = { id: mine.id };
    const business = Business.parse(
      bodyOf(await send(api.v1.businesses[":id"].$get({ param })), 200),
    );
    expect(timeFieldProblem(business.fields, business.timeField)).toBeUndefined();
    const rules = bodyOf(await send(api.v1.businesses[":id"].rules.$get({ param })), 200);
    for (const rule of rules.items) {
      expect(() => compileRule(Rule.parse(rule), business), JSON.stringify(rule)).not.toThrow();
    }
    const channels = bodyOf(await send(api.v1.businesses[":id"].channels.$get({ param })), 200);
    for (const channel of channels.items) {
      const parsed = Channel.parse(channel);
      if (parsed.url) expect(parsed.url).toMatch(/^https?:\/\//);
    }
    let cursor: string | null = null;
    let events = 0;
    do {
      const page: { items: unknown[]; nextCursor: string | null } = bodyOf(
        await send(
          api.v1.businesses[":id"].events.$get({
            param,
            query: queryOf(`limit=1000&from=0${cursor ? `&cursor=${cursor}` : ""}`),
          }),
        ),
        200,
      );
      for (const item of page.items) {
        const e = StoredEvent.parse(item);
        events += 1;
        const time = Date.parse(e.time);
        expect(time >= 0 && time <= MAX_TIME_MS, e.time).toBe(true);
        for (const [key, value] of Object.entries(e.data)) {
          expect(key.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
          expect(["__proto__", "constructor", "prototype"]).not.toContain(key);
          if (typeof value === "string")
            expect(value.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
          if (typeof value === "number") expect(Number.isFinite(value)).toBe(true);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);

    const statuses = [...stats.byStatus.entries()].sort(([a], [b]) => a - b);
    console.log(
      `fuzz: ${stats.requests} requests over ${ops.length} operations (${runs} runs each, seed ${seed}); ` +
        `statuses ${statuses.map(([s, n]) => `${s}:${n}`).join(" ")}; ${events} events stored`,
    );
    expect(stats.requests).toBe(ops.length * runs);
    if (inject("fuzz").verbose) for (const [op, seen] of stats.byOp) console.log(op, seen);
  });
});
