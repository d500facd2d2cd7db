import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ADMIN,
  api,
  bodyOf,
  businessWithSource,
  connectLive as connect,
  createRule,
  ingest,
  raw,
  send,
  settle,
  until,
} from "../helpers";

describe("the live alert socket", () => {
  it("says hello, answers ping, and tells of alert changes once they are indexed", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    const { ws, messages } = await connect(business.id);
    expect(await until(() => messages.some((m) => m.type === "hello"))).toBe(true);
    ws.send("ping");
    expect(await until(() => messages.some((m) => m.type === "pong"))).toBe(true);

    await ingest(business.id, token, { routeId: "A", durationMs: 100 });
    await settle(business.id);
    expect(messages.filter((m) => m.type === "alerts")).toEqual([]);

    await ingest(business.id, token, { routeId: "A", durationMs: 9000 });
    expect(await until(() => messages.some((m) => m.type === "alerts"))).toBe(true);
    // By the time watchers hear of it, the alert list shows it.
    const alerts = bodyOf(
      await send(api.v1.alerts.$get({ query: { businessId: business.id } })),
      200,
    );
    expect(alerts.items).toHaveLength(1);
    ws.close();
  });

  it("refuses plain requests, strangers and unknown businesses", async () => {
    const { business } = await businessWithSource();
    const plain = await raw("GET", `/v1/businesses/${business.id}/live`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get("content-type")).toBe("application/problem+json");
    const stranger = await SELF.fetch(`http://anom.test/v1/businesses/${business.id}/live`, {
      headers: { upgrade: "websocket" },
    });
    expect(stranger.status).toBe(401);
    const unknown = await SELF.fetch("http://anom.test/v1/businesses/bus_nope/live", {
      headers: { upgrade: "websocket", authorization: `Bearer ${ADMIN}` },
    });
    expect(unknown.status).toBe(404);
  });
});
