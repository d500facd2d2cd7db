import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { monitorOf } from "../../workers/definitions/monitor";
import { businessWithSource, ingest, listEvents } from "../helpers";

/** What the business's object did in storage while `work` ran: SQL statements and alarm calls. */
async function recorded(businessId: string, work: () => Promise<void>) {
  const stub = monitorOf(env, businessId);
  const statements: string[] = [];
  const alarmCalls: string[] = [];
  const restore = await runInDurableObject(stub, (_i, state) => {
    const sql = state.storage.sql;
    const storage = state.storage;
    const exec = sql.exec;
    const setAlarm = storage.setAlarm;
    const getAlarm = storage.getAlarm;
    sql.exec = ((query: string, ...args: SqlStorageValue[]) => {
      statements.push(query.replace(/\s+/g, " ").trim());
      return exec.call(sql, query, ...args);
    }) as typeof sql.exec;
    storage.setAlarm = (...args: Parameters<typeof setAlarm>) => {
      alarmCalls.push("setAlarm");
      return setAlarm.apply(storage, args);
    };
    storage.getAlarm = (...args: Parameters<typeof getAlarm>) => {
      alarmCalls.push("getAlarm");
      return getAlarm.apply(storage, args);
    };
    return () => {
      sql.exec = exec;
      storage.setAlarm = setAlarm;
      storage.getAlarm = getAlarm;
    };
  });
  try {
    await work();
  } finally {
    await runInDurableObject(stub, () => restore());
  }
  return { statements, alarmCalls };
}

const event = (n: number) => ({ timestamp: Date.now(), routeId: `R${n}`, durationMs: n });

describe("the lean single-event path", () => {
  it("stores a single event with one row and the arrival time, and plans no job and no alarm when nothing changed", async () => {
    const { business, token } = await businessWithSource();
    // The first request plans the housekeeping jobs and points the alarm at them.
    const first = await recorded(business.id, async () => {
      expect((await ingest(business.id, token, event(1))).status).toBe(202);
    });
    expect(first.statements.some((s) => s.startsWith("insert into schedule"))).toBe(true);
    expect(first.alarmCalls).toContain("setAlarm");

    // The next ones find everything planned: one event row and `last_ingest`, nothing else written.
    const next = await recorded(business.id, async () => {
      for (let n = 2; n <= 4; n++)
        expect((await ingest(business.id, token, event(n))).status).toBe(202);
    });
    const writes = next.statements.filter((s) => /^(insert|update|delete|replace)/i.test(s));
    expect(writes).toEqual(
      Array.from({ length: 3 }, () => [
        "insert into events (time, received, source, data) values (?, ?, ?, ?) returning seq",
        "insert into meta (key, value) values ('last_ingest', ?) on conflict (key) do update set value = excluded.value",
      ]).flat(),
    );
    // Nothing is read per request either: no outbox, schedule or meta lookups.
    expect(next.statements).toHaveLength(writes.length);
    expect(next.alarmCalls).toEqual([]);

    const { items } = await listEvents(business.id);
    expect(items.map((e) => e.data.routeId).sort()).toEqual(["R1", "R2", "R3", "R4"]);
    expect(items.find((e) => e.data.routeId === "R3")?.data).toEqual({
      timestamp: expect.any(Number),
      routeId: "R3",
      durationMs: 3,
    });
  });
});
