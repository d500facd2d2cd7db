import type { Place } from "../business/shards/route";
import { placeName } from "../business/shards/route";

/**
 * The stub of one of a business's Durable Objects: shard 0 (the business's own
 * object, all of it when unsharded) unless another shard or the coordinator is named.
 */
export function monitorOf(
  env: Pick<Env, "BUSINESS">,
  businessId: string,
  place: Place | number = 0,
) {
  const at: Place = typeof place === "number" ? { role: "shard", shard: place } : place;
  return env.BUSINESS.get(env.BUSINESS.idFromName(placeName(businessId, at)));
}

/** Every object of a business: its shards, then (when sharded) its coordinator. */
export function monitorsOf(env: Pick<Env, "BUSINESS">, businessId: string, shards: number) {
  const all = Array.from({ length: shards }, (_, shard) => monitorOf(env, businessId, shard));
  if (shards > 1) all.push(monitorOf(env, businessId, { role: "coordinator" }));
  return all;
}
