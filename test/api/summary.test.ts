import { describe, expect, it } from "vitest";
import {
  bodyOf,
  businessWithSource,
  client,
  createBusiness,
  createRule,
  ingest,
  queryOf,
  rollUpNow,
  send,
  settle,
} from "../helpers";
import { key, workspace } from "../teams/support";

const HOUR = 3_600_000;

async function summaries(query: string, token?: string) {
  const res = await send(client(token).v1.businesses.summary.$get({ query: queryOf(query) }));
  return bodyOf(res, 200);
}

describe("GET /v1/businesses/summary", () => {
  it("gives each business its open alerts by severity, events per hour and last event, a page at a time", async () => {
    const ws = await workspace();
    const { business: busy, token } = await businessWithSource({ workspaceId: ws.id });
    const quiet = await createBusiness({ workspaceId: ws.id });
    await createRule(busy.id, {
      name: "Slow",
      kind: "immediate",
      keepFiringFor: "0s",
      severity: "critical",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    await createRule(busy.id, {
      name: "Failed",
      kind: "immediate",
      keepFiringFor: "0s",
      severity: "info",
      condition: "status == 'FAILED'",
    });
    const now = Date.now();
    const at = (hoursAgo: number) => now - hoursAgo * HOUR;
    const events = [
      { timestamp: at(30), routeId: "A", durationMs: 10, status: "OK" },
      { timestamp: at(5), routeId: "A", durationMs: 6000, status: "OK" },
      { timestamp: at(5), routeId: "B", durationMs: 7000, status: "FAILED" },
      // The latest event failed too: the failure alert stays open.
      { timestamp: at(2), routeId: "C", durationMs: 9000, status: "OK" },
      { timestamp: at(0.01), routeId: "D", durationMs: 20, status: "FAILED" },
    ];
    expect((await ingest(busy.id, token, events)).status).toBe(202);
    await settle(busy.id);
    await rollUpNow(busy.id);

    const page = await summaries(`workspaceId=${ws.id}`);
    expect(page.items.map((s) => s.business.id)).toEqual([busy.id, quiet.id].sort());
    const first = Date.parse(page.from);
    expect(first % HOUR).toBe(0);
    const mine = page.items.find((s) => s.business.id === busy.id);
    expect(mine?.active).toEqual({ info: 1, warning: 0, critical: 3 });
    expect(mine?.lastEventAt).toBe(new Date(at(0.01)).toISOString());
    const want = new Array(24).fill(0);
    for (const e of events) {
      const i = Math.floor((e.timestamp - first) / HOUR);
      if (i >= 0 && i < 24) want[i] += 1;
    }
    expect(mine?.perHour).toEqual(want);
    expect(want.reduce((a, b) => a + b)).toBe(4);
    // Resolved alerts do not count: the first failure resolved when an OK event followed.
    expect(page.items.find((s) => s.business.id === quiet.id)).toMatchObject({
      active: { info: 0, warning: 0, critical: 0 },
      lastEventAt: null,
      perHour: new Array(24).fill(0),
    });

    // Keyset pages: one, then the rest.
    const one = await summaries(`workspaceId=${ws.id}&limit=1`);
    expect(one.items).toHaveLength(1);
    expect(one.nextCursor).not.toBeNull();
    const rest = await summaries(`workspaceId=${ws.id}&limit=1&cursor=${one.nextCursor}`);
    expect([...one.items, ...rest.items].map((s) => s.business.id)).toEqual(
      page.items.map((s) => s.business.id),
    );
    expect(rest.nextCursor).toBeNull();
  }, 60_000);

  it("shows a workspace's key only its own businesses, and none of another's alerts", async () => {
    const [a, b] = [await workspace(), await workspace()];
    const inA = await createBusiness({ workspaceId: a.id });
    const { business: inB, token } = await businessWithSource({ workspaceId: b.id });
    await createRule(inB.id, {
      name: "Slow",
      kind: "immediate",
      keepFiringFor: "0s",
      condition: "durationMs > 5000",
    });
    await ingest(inB.id, token, [{ timestamp: Date.now(), routeId: "A", durationMs: 9000 }]);
    await settle(inB.id);
    const viewer = await key(a.id, "viewer");
    const seen = await summaries("limit=500", viewer.token);
    expect(seen.items.map((s) => s.business.id)).toEqual([inA.id]);
    expect(seen.items[0]?.active).toEqual({ info: 0, warning: 0, critical: 0 });
    const refused = await send(
      client(viewer.token).v1.businesses.summary.$get({ query: { workspaceId: String(b.id) } }),
    );
    // Another workspace's id: 404 (from the gate; not among the route's documented answers).
    expect(refused.status).toBe(404);
  }, 60_000);
});
