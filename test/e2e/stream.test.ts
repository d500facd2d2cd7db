import { describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { e2eStack } from "../support/stack";

const stack = e2eStack();
const { admin } = stack;
const api = () => client(stack.api, admin);

type Message = Record<string, unknown>;

/** Node's own WebSocket (undici), as a browser would connect: the token as a subprotocol. */
async function connect(businessId: string, token: string) {
  const ws = new WebSocket(`${stack.api.replace(/^http/, "ws")}/v1/stream/${businessId}`, [
    "anom-stream",
    `anom-token.${token}`,
  ]);
  const messages: Message[] = [];
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(String(e.data)));
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error("the stream did not open")));
  });
  const until = async (check: () => boolean, what: string) => {
    const end = Date.now() + 15_000;
    while (!check()) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // Acks may come out of order (a malformed frame is answered at once): by frame number.
  const acks = () =>
    messages.filter((m) => m.ack !== undefined).sort((a, b) => Number(a.ack) - Number(b.ack));
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (e) => resolve(e.code)),
  );
  return { ws, messages, until, acks, closed };
}

const frame = (key: string, ...events: Message[]) =>
  [JSON.stringify({ $key: key }), ...events.map((e) => JSON.stringify(e))].join("\n");

describe("the stream against wrangler dev", () => {
  it("takes NDJSON frames over a real WebSocket, acks each, fires rules, and stores resent frames once", async () => {
    const business = await api().json("POST", "/v1/businesses", {
      name: "e2e stream",
      fields: [
        { name: "routeId", type: "string", required: true },
        { name: "durationMs", type: "number", required: true },
      ],
    });
    const { token } = await api().json("POST", `/v1/businesses/${business.id}/sources`, {
      name: "device",
    });
    await api().json("POST", `/v1/businesses/${business.id}/rules`, {
      name: "Slow route",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });

    const first = await connect(business.id, token);
    expect(first.ws.protocol).toBe("anom-stream");
    await first.until(() => first.messages.length > 0, "ready");
    expect(first.messages[0]).toMatchObject({ ready: { window: 32 } });
    first.ws.send(
      frame("d1-1", { routeId: "A", durationMs: 10 }, { routeId: "B", durationMs: 12 }),
    );
    first.ws.send(frame("d1-2", { routeId: "A", durationMs: 9000 }, { routeId: "C" }));
    first.ws.send("{broken");
    await first.until(() => first.acks().length === 3, "three acks");
    expect(first.acks()).toEqual([
      { ack: 1, key: "d1-1", status: 202, accepted: 2, rejected: [] },
      {
        ack: 2,
        key: "d1-2",
        status: 202,
        accepted: 1,
        rejected: [{ index: 1, errors: [{ path: "durationMs", message: expect.any(String) }] }],
      },
      expect.objectContaining({ ack: 3, key: null, status: 400, title: "Bad Request" }),
    ]);
    first.ws.close();
    await first.closed;

    // The device reconnects and resends what it is unsure of, with the same keys.
    const second = await connect(business.id, token);
    second.ws.send(frame("d1-2", { routeId: "A", durationMs: 9000 }, { routeId: "C" }));
    second.ws.send(frame("d1-3", { routeId: "D", durationMs: 20 }));
    await second.until(() => second.acks().length === 2, "two acks");
    expect(second.acks().map((a) => a.status)).toEqual([202, 202]);
    second.ws.close();

    const page = await api().json("GET", `/v1/businesses/${business.id}/events?limit=100`);
    const routes = page.items.map((e: { data: { routeId: string } }) => e.data.routeId).sort();
    expect(routes).toEqual(["A", "A", "B", "D"]);
    const alerts = await api().json("GET", `/v1/alerts?businessId=${business.id}`);
    expect(alerts.items).toHaveLength(1);
    expect(alerts.items[0]).toMatchObject({ groupKey: "A", status: "open" });
  });

  it("refuses a wrong token before the upgrade: the socket never opens", async () => {
    const ws = new WebSocket(`${stack.api.replace(/^http/, "ws")}/v1/stream/bus_nope`, [
      "anom-stream",
      "anom-token.anom_wrong",
    ]);
    const outcome = await new Promise<string>((resolve) => {
      ws.addEventListener("open", () => resolve("open"));
      ws.addEventListener("error", () => resolve("error"));
    });
    expect(outcome).toBe("error");
  });
});
