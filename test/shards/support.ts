import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { Place } from "../../workers/business/shards/route";
import { placeName } from "../../workers/business/shards/route";
import { api, type BusinessCreate, bodyOf, businessWithSource, queryOf, send } from "../helpers";

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
  const end = Date.now() + 120_000;
  let waiting: unknown[] = [];
  while (Date.now() < end) {
    waiting = [];
    for (const [i, stub] of objects.entries()) {
      await runDurableObjectAlarm(stub);
      const left = await runInDurableObject(stub, (_o, state) => {
        const sql = state.storage.sql;
        const queued = sql.exec<{ n: number }>(`select count(*) as n from outbox`).one().n;
        const pending = sql.exec<{ n: number }>(`select count(*) as n from shard_outbox`).one().n;
        const due = sql
          .exec(
            `select kind, key, due, attempts, last_error from schedule where due <= ?`,
            Date.now(),
          )
          .toArray();
        return queued === 0 && pending === 0 && due.length === 0
          ? undefined
          : { object: i, queued, pending, due: due.slice(0, 5) };
      });
      if (left) waiting.push(left);
    }
    if (waiting.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`business ${businessId} did not settle: ${JSON.stringify(waiting)}`);
}

/** Every alert of a business from the index, all pages. */
export async function allAlerts(businessId: string) {
  type Page = Extract<Awaited<ReturnType<typeof page>>, { status: 200 }>["json"];
  const page = (cursor: string | null) =>
    send(
      api.v1.alerts.$get({
        query: { businessId, ...queryOf(`limit=500${cursor ? `&cursor=${cursor}` : ""}`) },
      }),
    );
  const items: Page["items"] = [];
  let cursor: string | null = null;
  do {
    const res = await page(cursor);
    if (res.status !== 200) throw new Error(`alerts: ${res.status} ${JSON.stringify(res.json)}`);
    items.push(...res.json.items);
    cursor = res.json.nextCursor;
  } while (cursor);
  return items;
}

/** A fleet of devices, on one object or spread over four shards by device. */
export const fleet = (shards: number, more: Partial<BusinessCreate> = {}) =>
  businessWithSource({
    timezone: "UTC",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "device", type: "string", required: true },
      { name: "site", type: "string" },
      { name: "value", type: "number", required: true },
    ],
    ...(shards > 1 ? { shards, shardKey: "device" } : {}),
    ...more,
  });

/** A rule as GET …/rules/{id} answers it (with its status across the objects). */
export async function ruleOf(businessId: string, ruleId: string) {
  const rule = api.v1.businesses[":id"].rules[":ruleId"];
  return bodyOf(await send(rule.$get({ param: { id: businessId, ruleId } })), 200);
}

/** A shard hands its outbox to the coordinator now (its push job is due a second after a batch). */
export async function pushNow(shard: DurableObjectStub) {
  await runInDurableObject(shard, (_o, state) => {
    state.storage.sql.exec(`update schedule set due = 0 where kind = 'shard-push'`);
  });
  await runDurableObjectAlarm(shard);
}
