import { describe, expect, it } from "vitest";
import {
  api,
  client,
  createBusiness,
  expectStatus,
  listEvents,
  send,
  untypedBody,
} from "../helpers";
import { key, workspace } from "../teams/support";

/** POST /v1/businesses/{id}/events: events entered by a person (the UI's form and upload). */
async function enter(id: string, body: unknown, token?: string | null) {
  return send(
    client(token).v1.businesses[":id"].events.$post({ param: { id }, json: untypedBody(body) }),
  );
}

describe("entering events as a signed-in person", () => {
  it("stores valid events as ingest does and names who entered them", async () => {
    const ws = await workspace();
    const b = await createBusiness({ workspaceId: ws.id });
    const editor = await key(ws.id, "editor");
    const res = await enter(
      b.id,
      {
        events: [
          { timestamp: "2026-11-01T09:30:00+01:00", routeId: "A", durationMs: 12.5 },
          { routeId: "B", durationMs: "slow" },
        ],
      },
      editor.token,
    );
    expectStatus(res, 202);
    expect(res.json).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 1, errors: [{ path: "durationMs", message: expect.any(String) }] }],
    });
    const events = await listEvents(b.id);
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      time: "2026-11-01T08:30:00.000Z",
      sourceId: `key:${editor.id}`,
      data: { routeId: "A", durationMs: 12.5 },
    });

    const audit = await send(
      api.v1.workspaces[":id"].audit.$get({
        param: { id: ws.id },
        query: { action: "event.create" },
      }),
    );
    expectStatus(audit, 200);
    expect(audit.json.items).toHaveLength(1);
    expect(audit.json.items[0]?.target).toEqual({ type: "event", id: b.id });
  });

  it("stores an event whose key was stored before only once, within a request and across requests", async () => {
    const b = await createBusiness();
    const rows = [
      { routeId: "A", durationMs: 1 },
      { routeId: "B", durationMs: 2 },
      { routeId: "C", durationMs: 3 },
    ];
    const first = await enter(b.id, { events: rows.slice(0, 2), keys: ["f:0", "f:1"] });
    expect(first.json).toMatchObject({ accepted: 2, duplicates: 0 });

    // The same file again, one row longer: only the new row is stored.
    const again = await enter(b.id, { events: rows, keys: ["f:0", "f:1", "f:2"] });
    expectStatus(again, 202);
    expect(again.json).toMatchObject({ accepted: 1, duplicates: 2, rejected: [] });

    // Everything seen: accepted 0 is still a success, not a 422.
    const replay = await enter(b.id, { events: rows, keys: ["f:0", "f:1", "f:2"] });
    expectStatus(replay, 202);
    expect(replay.json).toMatchObject({ accepted: 0, duplicates: 3 });

    // Two events with one key in the same request: the first counts.
    const twice = await enter(b.id, {
      events: [
        { routeId: "D", durationMs: 4 },
        { routeId: "E", durationMs: 5 },
      ],
      keys: ["g:0", "g:0"],
    });
    expect(twice.json).toMatchObject({ accepted: 1, duplicates: 1 });

    const events = await listEvents(b.id);
    expect(events.items.map((e) => e.data.routeId).sort()).toEqual(["A", "B", "C", "D"]);
  });

  it("keeps no key of a rejected event, so the corrected row is stored later", async () => {
    const b = await createBusiness();
    const bad = await enter(b.id, {
      events: [
        { routeId: "A", durationMs: 1 },
        { routeId: "B", durationMs: "two" },
      ],
      keys: ["h:0", "h:1"],
    });
    expect(bad.json).toMatchObject({ accepted: 1, duplicates: 0, rejected: [{ index: 1 }] });
    const fixed = await enter(b.id, {
      events: [
        { routeId: "A", durationMs: 1 },
        { routeId: "B", durationMs: 2 },
      ],
      keys: ["h:0", "h:1"],
    });
    expect(fixed.json).toMatchObject({ accepted: 1, duplicates: 1 });
    expect((await listEvents(b.id)).items).toHaveLength(2);
  });

  it("answers 422 naming the field when no event is valid, and for keys that do not match", async () => {
    const b = await createBusiness();
    const none = await enter(b.id, { events: [{ routeId: "A" }] });
    expectStatus(none, 422);
    expect(none.json).toMatchObject({
      errors: [{ path: "0.durationMs", message: expect.any(String) }],
      rejected: [{ index: 0 }],
    });

    const mismatch = await enter(b.id, {
      events: [{ routeId: "A", durationMs: 1 }],
      keys: ["a", "b"],
    });
    expectStatus(mismatch, 422);
    expect(mismatch.json.errors?.[0]?.path).toBe("keys");

    const empty = await enter(b.id, { events: [] });
    expectStatus(empty, 422);
    expect((await listEvents(b.id)).items).toHaveLength(0);
  });

  it("needs the editor role in the business's workspace", async () => {
    const ws = await workspace();
    const other = await workspace();
    const b = await createBusiness({ workspaceId: ws.id });
    const body = { events: [{ routeId: "A", durationMs: 1 }] };
    expect((await enter(b.id, body, (await key(ws.id, "viewer")).token)).status).toBe(403);
    expect((await enter(b.id, body, (await key(other.id, "admin")).token)).status).toBe(404);
    expect((await enter(b.id, body, null)).status).toBe(401);
    expect((await listEvents(b.id)).items).toHaveLength(0);
  });
});
