import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { Place } from "../../workers/business/shards/route";
import { placeName } from "../../workers/business/shards/route";
import { call } from "../helpers";

/** Every object of a business: its shards, then its coordinator when sharded. */
export function objectsOf(businessId: string, shards: number) {
  const places: Place[] = Array.from({ length: shards }, (_, shard) => ({
    role: "shard",
    shard,
  }));
  if (shards > 1) places.push({ role: "coordinator" });
  return places.map((p) => env.BUSINESS.get(env.BUSINESS.idFromName(placeName(businessId, p))));
}

/**
 * Runs the due alarm work of every object of a business (shards first, so their
 * pushes reach the coordinator in the same round) until none has anything due.
 */
export async function settleAll(businessId: string, shards: number) {
  const objects = objectsOf(businessId, shards);
  for (let i = 0; i < 200; i++) {
    let idle = true;
    for (const stub of objects) {
      await runDurableObjectAlarm(stub);
      const quiet = await runInDurableObject(stub, (_o, state) => {
        const sql = state.storage.sql;
        const queued = sql.exec<{ n: number }>(`select count(*) as n from outbox`).one().n;
        const pending = sql.exec<{ n: number }>(`select count(*) as n from shard_outbox`).one().n;
        const due = sql
          .exec<{ n: number }>(`select count(*) as n from schedule where due <= ?`, Date.now())
          .one().n;
        return queued === 0 && pending === 0 && due === 0;
      });
      idle &&= quiet;
    }
    if (idle) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`business ${businessId} did not settle`);
}

/** Every alert of a business from the index, all pages. */
export async function allAlerts(businessId: string) {
  const items: { id: string; ruleId: string; groupKey: string; status: string; summary: string }[] =
    [];
  let cursor: string | null = null;
  do {
    const q: string = `/v1/alerts?businessId=${businessId}&limit=500${cursor ? `&cursor=${cursor}` : ""}`;
    const res = await call("GET", q);
    if (res.status !== 200) throw new Error(`alerts: ${res.status} ${JSON.stringify(res.json)}`);
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
  } while (cursor);
  return items;
}

/** A small deterministic generator (mulberry32), so both businesses get the very same stream. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
