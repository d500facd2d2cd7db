import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../../scripts/lib/api.mjs";
import { startReceiver } from "../support/receiver";
import { e2eStack, slowRoutes } from "../support/stack";

const stack = e2eStack();
const { admin } = stack;
/** The stack's API as the admin. */
const api = () => client(stack.api, admin);
let receiver: Awaited<ReturnType<typeof startReceiver>>;

/** Waits (bounded) for the receiver to have `count` requests at a path. */
async function waitFor(path: string, count: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (receiver.received(path).length < count && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
  }
  return receiver.received(path);
}

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe("notifications on the real local stack", () => {
  it("delivers signed alert.opened then alert.resolved to a receiver that fails the first attempts", async () => {
    const { business, slow, fast } = await slowRoutes(api(), "e2e camel routes");
    const channel = await api().json("POST", `/v1/businesses/${business.id}/channels`, {
      type: "webhook",
      url: `http://127.0.0.1:${receiver.port}/hook?fail=2`,
    });

    await slow("SFTP-BANK-A");
    const opened = await waitFor("/hook", 1, 120_000);
    expect(opened).toHaveLength(1);
    expect(receiver.attempts("/hook")).toBe(3);

    await fast("SFTP-BANK-A");
    const both = await waitFor("/hook", 2, 60_000);
    const wh = new Webhook(channel.secret);
    const bodies = both.map(
      (r) => wh.verify(r.body, r.headers) as { type: string; data: { id: string } },
    );
    expect(bodies.map((b) => b.type)).toEqual(["alert.opened", "alert.resolved"]);
    expect(bodies[0]?.data.id).toBe(bodies[1]?.data.id);

    const log = await api().json("GET", `/v1/businesses/${business.id}/deliveries`);
    const opens = log.items.filter((d: { type: string }) => d.type === "alert.opened");
    expect(opens.map((d: { outcome: string }) => d.outcome).sort()).toEqual([
      "delivered",
      "failed",
      "failed",
    ]);
  });
});
