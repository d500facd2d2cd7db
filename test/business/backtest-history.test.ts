import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushArchive } from "../../workers/business/archive";
import {
  BACKTEST_MAX_CHARS,
  BACKTEST_MAX_EVENTS,
  backtestHistory,
} from "../../workers/business/backtest";
import { pruneEvents } from "../../workers/business/retention";
import { rollUp } from "../../workers/business/rollup";
import { type BusinessCreate, businessWithSource, ingest } from "../helpers";

const MINUTE = 60_000;
const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

const notes: Partial<BusinessCreate> = {
  timezone: "UTC",
  fields: [
    { name: "timestamp", type: "timestamp" },
    { name: "n", type: "number", required: true },
    { name: "note", type: "string" },
  ],
};

/** `count` events a minute apart ending an hour ago, numbered from 0, each with a note of `size` characters. */
function events(count: number, size: number) {
  const start = Date.now() - 60 * MINUTE - count * MINUTE;
  return Array.from({ length: count }, (_, n) => ({
    timestamp: start + n * MINUTE,
    n,
    note: "x".repeat(size),
  }));
}

/**
 * The history a backtest of `limit` events (and its share of the size bound)
 * reads, as event numbers, and the archive objects it opened.
 */
async function readWithObjects(businessId: string, limit: number, to?: number) {
  const opened: string[] = [];
  const archive = new Proxy(env.ARCHIVE, {
    get(target, name) {
      if (name === "get")
        return (key: string) => {
          opened.push(key);
          return target.get(key);
        };
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const h = await runInDurableObject(stubOf(businessId), (_o, state) =>
    backtestHistory(state.storage, archive, businessId, { to }, Date.now(), limit),
  );
  return { ns: h.events.map((e) => e.data.n), truncated: h.truncated, opened };
}

async function read(businessId: string, limit: number, to?: number) {
  const { ns, truncated } = await readWithObjects(businessId, limit, to);
  return { ns, truncated };
}

/** Archives every held event and prunes all but the newest `keep`. */
function archiveAndPrune(businessId: string, keep: number) {
  return runInDurableObject(stubOf(businessId), async (_o, state) => {
    while (await flushArchive(state.storage, env.ARCHIVE, businessId));
    while (rollUp(state.storage, []));
    while (pruneEvents(state.storage.sql, { days: 3650, maxEvents: keep }, Date.now()));
    return state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
// A backtest of `limit` events may hold this many characters of their data.
const charsOf = (limit: number) => Math.floor((BACKTEST_MAX_CHARS * limit) / BACKTEST_MAX_EVENTS);

describe("a backtest's history", () => {
  it("is the newest events up to its end, in the order sent, the count bound saying what was left out", async () => {
    const { business, token } = await businessWithSource(notes);
    const sent = events(300, 10);
    expect((await ingest(business.id, token, sent)).json).toMatchObject({ accepted: 300 });
    expect(await read(business.id, 1000)).toEqual({ ns: range(0, 300), truncated: false });
    expect(await read(business.id, 40)).toEqual({ ns: range(260, 300), truncated: true });
    const to = sent[199]?.timestamp;
    expect(await read(business.id, 1000, to)).toEqual({ ns: range(0, 200), truncated: false });
    expect(await read(business.id, 50, to)).toEqual({ ns: range(150, 200), truncated: true });
  });

  it("keeps large events within the size bound, newest first", async () => {
    const { business, token } = await businessWithSource(notes);
    // 50 events of ~2,000 characters against the bound of a 100-event backtest (10,000 characters).
    const sent = events(50, 2_000);
    expect(charsOf(100)).toBe(10_000);
    for (let i = 0; i < sent.length; i += 10)
      expect((await ingest(business.id, token, sent.slice(i, i + 10))).json).toMatchObject({
        accepted: 10,
      });
    const { ns, truncated } = await read(business.id, 100);
    expect(truncated).toBe(true);
    expect(ns).toEqual(range(46, 50));
  });

  it("completes from the archive, newest objects first, what the object no longer holds", async () => {
    const { business, token } = await businessWithSource(notes);
    const sent = events(12_000, 10);
    for (let i = 0; i < sent.length; i += 4_000)
      expect((await ingest(business.id, token, sent.slice(i, i + 4_000))).json).toMatchObject({
        accepted: 4_000,
      });
    expect(await archiveAndPrune(business.id, 1_000)).toBe(1_000);
    // The held 1,000 and 6,000 archived ones before them, in the order sent.
    expect(await read(business.id, 7_000)).toEqual({ ns: range(5_000, 12_000), truncated: true });
    // What the held events leave short comes from the newest archive object alone.
    const short = await readWithObjects(business.id, 1_500);
    expect(short.ns).toEqual(range(10_500, 12_000));
    expect(short.opened).toHaveLength(1);
    // Everything, archive first.
    expect(await read(business.id, 20_000)).toEqual({ ns: range(0, 12_000), truncated: false });
    // A range that ends in the archived part.
    const to = sent[2_999]?.timestamp;
    expect(await read(business.id, 20_000, to)).toEqual({ ns: range(0, 3_000), truncated: false });
    expect(await read(business.id, 500, to)).toEqual({ ns: range(2_500, 3_000), truncated: true });
  });
});
