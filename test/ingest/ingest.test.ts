import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_EVENTS_PER_REQUEST } from "../../workers/ingest/limits";
import {
  ADMIN,
  api,
  businessWithSource,
  createBusiness,
  createSource,
  expectStatus,
  ingest,
  ingestAnswer,
  listEvents,
  raw,
  send,
} from "../helpers";

const event = (i = 0) => ({
  timestamp: new Date(Date.now() - 60_000 + i).toISOString(),
  routeId: `SFTP-BANK-${i % 3}`,
  durationMs: 100 + i,
  status: "OK",
});

describe("ingest", () => {
  it("accepts one event, stores it exactly and answers 202", async () => {
    const { business, token, sourceId } = await businessWithSource();
    const e = event();
    const res = await ingest(business.id, token, e);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1, rejected: [] });
    const stored = await listEvents(business.id);
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ time: e.timestamp, data: e, sourceId });
  });

  it("accepts a JSON array and reports the rejected events by index and field", async () => {
    const { business, token } = await businessWithSource();
    const res = await ingest(business.id, token, [
      event(1),
      { ...event(2), durationMs: "slow" },
      { routeId: "A" },
      event(3),
      { ...event(4), status: "MAYBE", extra: 1 },
    ]);
    expectStatus(res, 202);
    expect(res.json.accepted).toBe(2);
    expect(res.json.rejected).toEqual([
      { index: 1, errors: [{ path: "durationMs", message: expect.stringContaining("number") }] },
      { index: 2, errors: [{ path: "durationMs", message: "is required" }] },
      {
        index: 4,
        errors: expect.arrayContaining([
          { path: "status", message: expect.stringContaining("OK") },
          { path: "extra", message: "is not a field of this business" },
        ]),
      },
    ]);
    expect((await listEvents(business.id)).items).toHaveLength(2);
  });

  it("accepts NDJSON and rejects a line that is not JSON", async () => {
    const { business, token } = await businessWithSource();
    const body = `${JSON.stringify(event(1))}\n{broken\n\n${JSON.stringify(event(2))}\n`;
    const res = ingestAnswer(
      await raw("POST", `/v1/ingest/${business.id}`, {
        token,
        raw: body,
        headers: { "content-type": "application/x-ndjson" },
      }),
    );
    expect(res.status).toBe(202);
    expect(res.json).toEqual({
      accepted: 2,
      rejected: [{ index: 1, errors: [{ path: "(event)", message: "line 2 is not valid JSON" }] }],
    });
  });

  it("answers 422 problem details with every rejection when nothing was accepted", async () => {
    const { business, token } = await businessWithSource();
    const res = await ingest(business.id, token, [{ routeId: 5 }, "text"]);
    expectStatus(res, 422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.json).toMatchObject({ status: 422, accepted: 0 });
    expect(res.json.rejected?.map((r) => r.index)).toEqual([0, 1]);
    expect(res.json.errors).toContainEqual({
      path: "1.(event)",
      message: "an event is a JSON object",
    });
  });

  it("answers 400 for a body that is not JSON or NDJSON", async () => {
    const { business, token } = await businessWithSource();
    for (const [body, type] of [
      ["{nope", "application/json"],
      ["NaN", "application/json"],
      ["", "application/json"],
      ["garbage\nmore garbage", "application/x-ndjson"],
      [new Uint8Array([0xff, 0xfe, 0x00, 0x81]), "application/json"],
    ] as const) {
      const res = ingestAnswer(
        await raw("POST", `/v1/ingest/${business.id}`, {
          token,
          raw: body,
          headers: { "content-type": type },
        }),
      );
      expect(res.status, String(body)).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("answers 413 for a body over the limit, declared or streamed", async () => {
    const { business, token } = await businessWithSource();
    const declared = await SELF.fetch(`http://anom.test/v1/ingest/${business.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-length": String(MAX_BODY_BYTES + 1) },
      body: "{}",
    });
    expect(declared.status).toBe(413);

    const chunk = new TextEncoder().encode(" ".repeat(1024 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await SELF.fetch(`http://anom.test/v1/ingest/${business.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: stream,
    });
    expect(streamed.status).toBe(413);
    expect((await streamed.json<{ title: string }>()).title).toBe("Payload Too Large");
  });

  it("answers 413 for more events than a request may carry", async () => {
    const { business, token } = await businessWithSource();
    const res = await ingest(
      business.id,
      token,
      Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => ({})),
    );
    expect(res.status).toBe(413);
  });

  describe("auth", () => {
    it("answers 401 without a token, with a wrong token and with the admin token", async () => {
      const { business } = await businessWithSource();
      for (const token of [null, "anom_wrong", ADMIN]) {
        const res = await ingest(business.id, token, event());
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
      }
    });

    it("answers 403 for a token of another business", async () => {
      const a = await businessWithSource();
      const b = await createBusiness();
      const res = await ingest(b.id, a.token, event());
      expect(res.status).toBe(403);
    });

    it("answers 404 for an unknown business", async () => {
      const a = await businessWithSource();
      const res = await ingest("bus_missing", a.token, event());
      expect(res.status).toBe(404);
    });

    it("stops accepting a revoked token", async () => {
      const { business, token, sourceId } = await businessWithSource();
      expect((await ingest(business.id, token, event())).status).toBe(202);
      const revoked = await send(
        api.v1.businesses[":id"].sources[":sourceId"].$delete({
          param: { id: business.id, sourceId },
        }),
      );
      expect(revoked.status).toBe(204);
      expect((await ingest(business.id, token, event())).status).toBe(401);
    });
  });

  describe("event time", () => {
    it("reads RFC 3339 or epoch milliseconds from the time field, else uses the receipt time", async () => {
      const { business, token } = await businessWithSource();
      const at = Date.now() - 3_600_000;
      const before = Date.now();
      await ingest(business.id, token, [
        { ...event(), timestamp: new Date(at).toISOString().replace("Z", "+00:00") },
        { ...event(), timestamp: at + 1 },
        { routeId: "X", durationMs: 1 },
      ]);
      const times = (await listEvents(business.id)).items.map((e) => Date.parse(e.time));
      expect(times).toContain(at);
      expect(times).toContain(at + 1);
      const received = times.find((t) => t >= before);
      expect(received).toBeDefined();
    });

    it("backfills history up to ten years back, past the retention too, and rejects what lies beyond or in the future", async () => {
      const { business, token } = await businessWithSource({ retention: { days: 7 } });
      const res = await ingest(business.id, token, [
        { ...event(), timestamp: Date.now() - 6 * 86_400_000 },
        { ...event(), timestamp: Date.now() - 8 * 86_400_000 },
        { ...event(), timestamp: Date.now() - 9 * 365 * 86_400_000 },
        { ...event(), timestamp: Date.now() - 11 * 365 * 86_400_000 },
        { ...event(), timestamp: Date.now() + 3_600_000 },
        { ...event(), timestamp: "yesterday" },
      ]);
      expect(res.json.accepted).toBe(3);
      expect(res.json.rejected).toEqual([
        {
          index: 3,
          errors: [{ path: "timestamp", message: "is more than 10 years in the past" }],
        },
        {
          index: 4,
          errors: [{ path: "timestamp", message: "is more than 5 minutes in the future" }],
        },
        {
          index: 5,
          errors: [
            { path: "timestamp", message: "must be an RFC 3339 time or epoch milliseconds" },
          ],
        },
      ]);
    });

    it("refuses impossible dates and epoch seconds with a message saying why", async () => {
      const { business, token } = await businessWithSource();
      const res = await ingest(business.id, token, [
        { ...event(), timestamp: "2026-02-30T12:00:00Z" },
        { ...event(), timestamp: "2026-04-31T12:00:00Z" },
        { ...event(), timestamp: "2026-11-24T24:00:00Z" },
        { ...event(), timestamp: Math.floor(Date.now() / 1000) },
        { ...event(), timestamp: 8_700_000_000_000_000 },
      ]);
      expectStatus(res, 422);
      const messages = (res.json.rejected ?? []).map(
        (r: { errors: { path: string; message: string }[] }) => r.errors[0],
      );
      expect(messages).toEqual([
        { path: "timestamp", message: "has no day 30 in 2026-02" },
        { path: "timestamp", message: "has no day 31 in 2026-04" },
        { path: "timestamp", message: "hour 24 is out of range (00-23)" },
        { path: "timestamp", message: expect.stringMatching(/looks like epoch seconds/) },
        { path: "timestamp", message: "must be between 1970-01-01 and 9999-12-31" },
      ]);
      expect((await listEvents(business.id)).items).toHaveLength(0);
    });

    it("refuses an over-long field name with the name (shortened) and its length", async () => {
      const { business, token } = await businessWithSource({ allowUnknownFields: true });
      const key = "k".repeat(1_000_000);
      const res = await ingest(business.id, token, { ...event(), [key]: 1, short: 2 });
      expectStatus(res, 422);
      expect(res.json.rejected?.[0]?.errors).toEqual([
        {
          path: `${"k".repeat(32)}…`,
          message: "field name is 1000000 characters long; at most 128",
        },
      ]);
      expect((await listEvents(business.id)).items).toHaveLength(0);
      const ok = await ingest(business.id, token, { ...event(), [key.slice(0, 128)]: 1 });
      expect(ok.status).toBe(202);
    });

    it("uses a custom time field", async () => {
      const { business, token } = await businessWithSource({
        timeField: "at",
        fields: [
          { name: "at", type: "timestamp" },
          { name: "v", type: "number" },
        ],
      });
      const at = Date.now() - 5000;
      await ingest(business.id, token, { at, v: 1 });
      expect((await listEvents(business.id)).items[0]?.time).toBe(new Date(at).toISOString());
    });
  });

  describe("Idempotency-Key", () => {
    it("accepts a retried request once and replays the first answer", async () => {
      const { business, token } = await businessWithSource();
      const body = [event(1), event(2), { bad: true }];
      const first = await ingest(business.id, token, body, { "idempotency-key": "req-1" });
      const second = await ingest(business.id, token, body, { "idempotency-key": "req-1" });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.json).toEqual(first.json);
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      expect((await listEvents(business.id)).items).toHaveLength(2);
    });

    it("refuses a key reused with a different body", async () => {
      const { business, token } = await businessWithSource();
      await ingest(business.id, token, event(1), { "idempotency-key": "req-2" });
      const res = await ingest(business.id, token, event(2), { "idempotency-key": "req-2" });
      expectStatus(res, 422);
      expect(res.json.errors?.[0]?.path).toBe("Idempotency-Key");
    });
  });

  describe("schema", () => {
    it("picks up a new field without a restart", async () => {
      const { business, token } = await businessWithSource();
      expect((await ingest(business.id, token, { ...event(), bytes: 10 })).status).toBe(422);
      const added = await send(
        api.v1.businesses[":id"].fields.$post({
          param: { id: business.id },
          json: { name: "bytes", type: "integer" },
        }),
      );
      expect(added.status).toBe(201);
      expect((await ingest(business.id, token, { ...event(), bytes: 10 })).status).toBe(202);
    });

    it("keeps undeclared scalar fields when the business allows them", async () => {
      const { business, token } = await businessWithSource({ allowUnknownFields: true });
      const res = await ingest(business.id, token, [
        { ...event(), host: "camel-1", retries: 2 },
        { ...event(), nested: { a: 1 } },
      ]);
      expectStatus(res, 202);
      expect(res.json.accepted).toBe(1);
      expect(res.json.rejected[0]?.errors[0]?.path).toBe("nested");
      expect((await listEvents(business.id)).items[0]?.data).toMatchObject({
        host: "camel-1",
        retries: 2,
      });
    });

    it("checks integers, booleans and finite numbers", async () => {
      const { business, token } = await businessWithSource({
        fields: [
          { name: "n", type: "integer" },
          { name: "ok", type: "boolean" },
          { name: "x", type: "number" },
        ],
      });
      // 1e400 parses to Infinity, which JSON.stringify could not even send.
      const body = `[{"n": 1.5}, {"ok": "yes"}, {"x": 1e400}, {"n": 2, "ok": false, "x": -0.5}]`;
      const res = ingestAnswer(
        await raw("POST", `/v1/ingest/${business.id}`, {
          token,
          raw: body,
          headers: { "content-type": "application/json" },
        }),
      );
      expectStatus(res, 202);
      expect(res.json.accepted).toBe(1);
      expect(res.json.rejected.map((r) => r.errors[0]?.path)).toEqual(["n", "ok", "x"]);
    });
  });

  describe("hostile input never answers 5xx", () => {
    it("handles prototype keys, huge strings, deep nesting and odd values", async () => {
      const { business, token } = await businessWithSource({ allowUnknownFields: true });
      const bodies: string[] = [
        `{"__proto__": {"admin": true}, "routeId": "A", "durationMs": 1}`,
        `{"constructor": {"prototype": 1}, "routeId": "A", "durationMs": 1}`,
        JSON.stringify({ routeId: "x".repeat(100_000), durationMs: 1 }),
        `${"[".repeat(50_000)}${"]".repeat(50_000)}`,
        `{"routeId": "A", "durationMs": Infinity}`,
        `[null, 1, true, "s", [], {}]`,
        `{"routeId": "\\u0000\\ud800", "durationMs": 1}`,
      ];
      for (const body of bodies) {
        const res = await raw("POST", `/v1/ingest/${business.id}`, {
          token,
          raw: body,
          headers: { "content-type": "application/json" },
        });
        expect(res.status, body.slice(0, 60)).toBeLessThan(500);
        expect([202, 400, 422]).toContain(res.status);
      }
      const stored = await listEvents(business.id);
      for (const e of stored.items) expect(Object.keys(e.data)).not.toContain("__proto__");
    });
  });

  it("keeps events per business apart", async () => {
    const a = await businessWithSource();
    const b = await businessWithSource();
    await ingest(a.business.id, a.token, [event(1), event(2)]);
    await ingest(b.business.id, b.token, event(3));
    expect((await listEvents(a.business.id)).items).toHaveLength(2);
    expect((await listEvents(b.business.id)).items).toHaveLength(1);
  });

  it("accepts events from several sources of one business", async () => {
    const { business, token } = await businessWithSource();
    const other = await createSource(business.id, "second");
    await ingest(business.id, token, event(1));
    await ingest(business.id, other.token, event(2));
    const sources = (await listEvents(business.id)).items.map((e) => e.sourceId);
    expect(new Set(sources).size).toBe(2);
  });
});
