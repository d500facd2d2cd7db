import { createExecutionContext, env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CoalescedMessage } from "../../workers/business/rpc";
import worker from "../../workers/index";
import { authorizeIngest } from "../../workers/ingest/auth";
import { StreamSession } from "../../workers/ingest/stream";
import { CLOSE_RECONNECT, WINDOW_FRAMES } from "../../workers/ingest/stream-protocol";
import { database } from "../../workers/lib/db";
import { api, businessWithSource, listEvents, statusOf } from "../helpers";

type Message = Record<string, unknown> & { ack?: number; key?: string | null; status?: number };

/** A stream client: collects what the server sends and waits for what a test expects. */
class Client {
  readonly messages: Message[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      this.messages.push(JSON.parse(String(e.data)));
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
    });
    ws.accept();
  }

  get acks(): Message[] {
    return this.messages.filter((m) => m.ack !== undefined);
  }

  ackOf(seq: number): Message | undefined {
    return this.acks.find((m) => m.ack === seq);
  }

  async until<T>(check: () => T | undefined | false, what: string): Promise<T> {
    for (let i = 0; i < 500; i++) {
      const value = check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages)}`);
  }

  /** Waits for the ack of frame `seq` (frames are numbered from 1 per connection). */
  ack(seq: number): Promise<Message> {
    return this.until(() => this.ackOf(seq), `the ack of frame ${seq}`);
  }

  send(lines: unknown[]): void {
    this.ws.send(lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n"));
  }
}

const url = (businessId: string) => `http://anom.test/v1/stream/${businessId}`;

async function open(businessId: string, token: string): Promise<Client> {
  const res = await SELF.fetch(url(businessId), {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(101);
  if (!res.webSocket) throw new Error("no socket");
  return new Client(res.webSocket);
}

/**
 * The worker with a business namespace that counts the calls that store
 * frames (and how many frames each carries) and can hold them, as a slow
 * Durable Object would.
 */
function instrumented() {
  const calls: number[] = [];
  let gate: Promise<void> | null = null;
  let open = () => {};
  let failures = 0;
  const BUSINESS = {
    idFromName: (name: string) => env.BUSINESS.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = env.BUSINESS.get(id);
      return {
        async ingestCoalesced(businessId: string, messages: CoalescedMessage[]) {
          calls.push(messages.length);
          if (gate) await gate;
          if (failures > 0) {
            failures -= 1;
            throw new Error("the object is overloaded");
          }
          return stub.ingestCoalesced(businessId, messages);
        },
      };
    },
  } as unknown as Env["BUSINESS"];
  return {
    calls,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    failNext() {
      failures += 1;
    },
    release() {
      gate = null;
      open();
    },
    async connect(businessId: string, token: string): Promise<Client> {
      const res = await worker.fetch(
        new Request(url(businessId), {
          headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
        }),
        { ...env, BUSINESS },
        createExecutionContext(),
      );
      expect(res.status).toBe(101);
      if (!res.webSocket) throw new Error("no socket");
      return new Client(res.webSocket);
    },
  };
}

const event = (routeId: string, durationMs = 5) => ({ routeId, durationMs, status: "OK" });

async function storedRoutes(businessId: string): Promise<string[]> {
  const page = await listEvents(businessId, "limit=1000");
  return page.items.map((e) => String(e.data.routeId)).sort();
}

describe("the stream (WebSocket ingest)", () => {
  it("says how much it takes, then acks each frame like POST /v1/ingest, naming rejected fields", async () => {
    const { business, token } = await businessWithSource();
    const client = await open(business.id, token);
    const ready = await client.until(() => client.messages[0], "the ready message");
    expect(ready).toEqual({
      ready: {
        window: WINDOW_FRAMES,
        windowBytes: 2 * 1024 * 1024,
        maxFrameBytes: 1024 * 1024,
        maxEventsPerFrame: 10_000,
      },
    });

    client.send([event("A"), { routeId: "B" }]);
    expect(await client.ack(1)).toEqual({
      ack: 1,
      key: null,
      status: 202,
      accepted: 1,
      rejected: [{ index: 1, errors: [{ path: "durationMs", message: expect.any(String) }] }],
    });

    client.send([{ $key: "dev7-1" }, event("C"), event("D")]);
    expect(await client.ack(2)).toEqual({
      ack: 2,
      key: "dev7-1",
      status: 202,
      accepted: 2,
      rejected: [],
    });

    // The key may also ride on the first event.
    client.send([
      { $key: "dev7-2", ...event("E") },
      { ...event("F"), $key: "x" },
    ]);
    const inline = await client.ack(3);
    expect(inline).toMatchObject({ key: "dev7-2", status: 202, accepted: 1 });
    expect(inline.rejected).toEqual([
      { index: 1, errors: [{ path: "$key", message: "belongs on the frame's first line only" }] },
    ]);

    // Nothing accepted: the 422 problem of POST /v1/ingest, with the frame's number.
    client.send([{ routeId: "G", durationMs: "slow" }]);
    const none = await client.ack(4);
    expect(none).toMatchObject({
      ack: 4,
      key: null,
      status: 422,
      type: "https://anom.dev/problems/validation-failed",
      accepted: 0,
      errors: [{ path: "0.durationMs" }],
    });
    expect(await storedRoutes(business.id)).toEqual(["A", "C", "D", "E"]);
    client.ws.close();
  });

  it("answers a malformed frame with a problem ack and keeps the connection", async () => {
    const { business, token } = await businessWithSource();
    const client = await open(business.id, token);
    client.send(["not json", "{also not"]);
    expect(await client.ack(1)).toMatchObject({
      ack: 1,
      key: null,
      status: 400,
      title: "Bad Request",
      detail: expect.stringContaining("not NDJSON"),
    });
    client.send([{ $key: 42 }, event("A")]);
    expect(await client.ack(2)).toMatchObject({
      status: 400,
      errors: [{ path: "$key", message: expect.stringContaining("string") }],
    });
    client.send([{ $key: "only-a-header" }]);
    expect(await client.ack(3)).toMatchObject({
      key: "only-a-header",
      status: 400,
      detail: "The frame holds no events.",
    });
    client.ws.send(new TextEncoder().encode(JSON.stringify(event("B"))));
    expect(await client.ack(4)).toMatchObject({
      status: 415,
      errors: [{ path: "(frame)", message: "must be a text frame" }],
    });
    client.ws.send("x".repeat(1024 * 1024 + 1));
    expect(await client.ack(5)).toMatchObject({ status: 413 });

    client.send([event("C")]);
    expect(await client.ack(6)).toMatchObject({ status: 202, accepted: 1 });
    expect(client.closed).toBeNull();
    expect(await storedRoutes(business.id)).toEqual(["C"]);
    client.ws.close();
  });

  it("forwards frames in batches: those that arrive during a call go together in the next", async () => {
    const { business, token } = await businessWithSource();
    const stack = instrumented();
    const client = await stack.connect(business.id, token);
    stack.hold();
    client.send([event("R0")]);
    await client.until(() => stack.calls.length === 1, "the first call");
    for (let i = 1; i <= 9; i++) client.send([{ $key: `k${i}` }, event(`R${i}`), event(`S${i}`)]);
    // Frames are read in order: once the binary frame is answered, the nine wait.
    client.ws.send(new Uint8Array([1]));
    await client.ack(11);
    expect(client.acks.map((a) => a.status)).toEqual([415]);
    stack.release();
    for (let seq = 1; seq <= 10; seq++)
      expect(await client.ack(seq)).toMatchObject({ status: 202 });
    expect(stack.calls).toEqual([1, 9]);
    expect(await storedRoutes(business.id)).toHaveLength(19);
    client.ws.close();
  });

  it("holds at most the window in flight: a frame past it is refused at once with 429 and taken when resent", async () => {
    const { business, token } = await businessWithSource();
    const stack = instrumented();
    const client = await stack.connect(business.id, token);
    stack.hold();
    const frame = (i: number) => [{ $key: `w${i}` }, event(`W${i}`)];
    for (let i = 1; i <= WINDOW_FRAMES + 3; i++) client.send(frame(i));
    const refused = await client.until(
      () => client.acks.length === 3 && client.acks,
      "three refusals",
    );
    expect(refused.map((a) => [a.ack, a.key, a.status])).toEqual([
      [WINDOW_FRAMES + 1, `w${WINDOW_FRAMES + 1}`, 429],
      [WINDOW_FRAMES + 2, `w${WINDOW_FRAMES + 2}`, 429],
      [WINDOW_FRAMES + 3, `w${WINDOW_FRAMES + 3}`, 429],
    ]);
    expect(refused[0]?.detail).toContain("Wait for an ack, then resend it");
    expect(stack.calls).toEqual([1]);

    stack.release();
    for (let seq = 1; seq <= WINDOW_FRAMES; seq++)
      expect(await client.ack(seq)).toMatchObject({ status: 202, key: `w${seq}` });
    for (let i = WINDOW_FRAMES + 1; i <= WINDOW_FRAMES + 3; i++) client.send(frame(i));
    for (let seq = WINDOW_FRAMES + 4; seq <= WINDOW_FRAMES + 6; seq++)
      expect(await client.ack(seq)).toMatchObject({ status: 202 });
    expect(stack.calls.reduce((a, b) => a + b, 0)).toBe(WINDOW_FRAMES + 3);
    expect(await storedRoutes(business.id)).toHaveLength(WINDOW_FRAMES + 3);
    client.ws.close();
  });

  it("answers 503 for a batch the object could not store; resent, the frames are stored", async () => {
    const { business, token } = await businessWithSource();
    const stack = instrumented();
    const client = await stack.connect(business.id, token);
    stack.failNext();
    client.send([{ $key: "f1" }, event("F1")]);
    expect(await client.ack(1)).toMatchObject({
      status: 503,
      key: "f1",
      detail: expect.stringContaining("resend"),
    });
    expect(await storedRoutes(business.id)).toEqual([]);
    client.send([{ $key: "f1" }, event("F1")]);
    expect(await client.ack(2)).toMatchObject({ status: 202, key: "f1" });
    expect(await storedRoutes(business.id)).toEqual(["F1"]);
    client.ws.close();
  });

  it("resumes: frames resent with their keys after a dropped connection are stored once", async () => {
    const { business, token } = await businessWithSource();
    const stack = instrumented();
    const first = await stack.connect(business.id, token);
    stack.hold();
    const frames = [1, 2, 3].map((i) => [{ $key: `dev9-${i}` }, event(`K${i}`)]);
    for (const f of frames) first.send(f);
    await first.until(() => stack.calls.length === 1, "the first call");
    // The connection drops while frame 1 is being stored: no frame was acknowledged.
    first.ws.close(1001, "going away");
    stack.release();
    await first.until(() => first.closed, "the close");
    expect(first.acks).toEqual([]);

    const second = await open(business.id, token);
    for (const f of frames) second.send(f);
    second.send([{ $key: "dev9-4" }, event("K4")]);
    for (let seq = 1; seq <= 4; seq++) expect(await second.ack(seq)).toMatchObject({ status: 202 });
    // Acknowledged frames resent again (the client did not see the acks) change nothing.
    for (const f of frames) second.send(f);
    for (let seq = 5; seq <= 7; seq++) expect(await second.ack(seq)).toMatchObject({ status: 202 });
    expect(await storedRoutes(business.id)).toEqual(["K1", "K2", "K3", "K4"]);

    // A key reused for other events is another frame: stored, never dropped.
    second.send([{ $key: "dev9-1" }, event("K5")]);
    expect(await second.ack(8)).toMatchObject({ status: 202, accepted: 1 });
    expect(await storedRoutes(business.id)).toEqual(["K1", "K2", "K3", "K4", "K5"]);
    second.ws.close();
  });

  it("authenticates with the business's source token before the upgrade, or with the subprotocol", async () => {
    const { business, token } = await businessWithSource();
    const other = await businessWithSource();
    const upgrade = (path: string, headers: Record<string, string>) =>
      SELF.fetch(`http://anom.test${path}`, { headers: { upgrade: "websocket", ...headers } });

    const plain = await SELF.fetch(url(business.id));
    expect(plain.status).toBe(426);
    expect(plain.headers.get("content-type")).toBe("application/problem+json");
    expect((await upgrade(`/v1/stream/${business.id}`, {})).status).toBe(401);
    const wrong = await upgrade(`/v1/stream/${business.id}`, {
      authorization: "Bearer anom_not-a-token",
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status: 401, title: "Unauthorized" });
    // Another business's token: 403, as for POST /v1/ingest; an unknown business: 404.
    expect(
      (await upgrade(`/v1/stream/${business.id}`, { authorization: `Bearer ${other.token}` }))
        .status,
    ).toBe(403);
    expect(
      (await upgrade("/v1/stream/bus_nope", { authorization: `Bearer ${token}` })).status,
    ).toBe(404);

    // Browsers: the token as a second subprotocol; the server picks anom-stream.
    const browser = await upgrade(`/v1/stream/${business.id}`, {
      "sec-websocket-protocol": `anom-stream, anom-token.${token}`,
    });
    expect(browser.status).toBe(101);
    expect(browser.headers.get("sec-websocket-protocol")).toBe("anom-stream");
    if (!browser.webSocket) throw new Error("no socket");
    const client = new Client(browser.webSocket);
    client.send([event("P")]);
    expect(await client.ack(1)).toMatchObject({ status: 202, accepted: 1 });
    client.ws.close();
    const bare = await upgrade(`/v1/stream/${business.id}`, {
      "sec-websocket-protocol": `anom-token.${token}`,
    });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ errors: [{ path: "sec-websocket-protocol" }] });
    expect(await storedRoutes(business.id)).toEqual(["P"]);
    expect(await storedRoutes(other.business.id)).toEqual([]);
  });

  it("ends the stream when the token is revoked: the frame gets a 401 ack and the socket closes", async () => {
    const { business, token, sourceId } = await businessWithSource();
    const client = await open(business.id, token);
    client.send([event("A")]);
    expect(await client.ack(1)).toMatchObject({ status: 202 });
    const revoke = api.v1.businesses[":id"].sources[":sourceId"].$delete({
      param: { id: business.id, sourceId },
    });
    expect(await statusOf(revoke)).toBe(204);
    client.send([event("B")]);
    expect(await client.ack(2)).toMatchObject({ status: 401 });
    expect(await client.until(() => client.closed, "the close")).toMatchObject({ code: 1008 });
    expect(await storedRoutes(business.id)).toEqual(["A"]);
  });

  it("asks the client to reconnect (1012) after its batch limit", async () => {
    const { business, token } = await businessWithSource();
    const [near, far] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    far.accept();
    new StreamSession(far, {
      env,
      authorize: () => authorizeIngest(database(env.DB), token, business.id),
      maxBatches: 2,
    }).start();
    const client = new Client(near);
    client.send([{ $key: "b1" }, event("B1")]);
    expect(await client.ack(1)).toMatchObject({ status: 202 });
    client.send([{ $key: "b2" }, event("B2")]);
    expect(await client.ack(2)).toMatchObject({ status: 202 });
    expect(await client.until(() => client.closed, "the close")).toMatchObject({
      code: CLOSE_RECONNECT,
      reason: expect.stringContaining("reconnect"),
    });
    expect(await storedRoutes(business.id)).toEqual(["B1", "B2"]);
  });
});
