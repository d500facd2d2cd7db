import type { Business } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import type { Rule } from "../../../schema/contracts/rules";

/**
 * Where an event of a sharded business goes, and which rules run where
 * (docs/capacity.md, "Sharding"). Shared by the edge (routing) and the objects
 * (which rules a shard or the coordinator evaluates).
 */

/** Shard k>0 numbers its events from k × this, so a (time, seq) is unique across a business's shards. */
export const SHARD_SEQ_SPAN = 1_000_000_000_000;

/** 32-bit FNV-1a of a string's UTF-16 code units: stable across isolates, releases and runtimes. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard of a shard-key value; an event without one goes to shard 0. */
export function shardOf(value: EventValue | undefined, shards: number): number {
  if (shards <= 1 || value === undefined || value === null) return 0;
  return fnv1a(String(value)) % shards;
}

/** Splits items by the shard of their data's shard-key value, keeping their order within a shard. */
export function splitByShard<T>(
  items: T[],
  dataOf: (item: T) => Record<string, EventValue>,
  business: Pick<Business, "shards" | "shardKey">,
): Map<number, T[]> {
  const parts = new Map<number, T[]>();
  for (const item of items) {
    const shard = business.shardKey ? shardOf(dataOf(item)[business.shardKey], business.shards) : 0;
    const part = parts.get(shard);
    if (part) part.push(item);
    else parts.set(shard, [item]);
  }
  return parts;
}

/** Where an object stands in its business's layout. */
export type Place = { role: "shard"; shard: number } | { role: "coordinator" };

export const isSharded = (business: Pick<Business, "shards">) => business.shards > 1;

/**
 * A rule runs in the shards when all events of each of its groups reach one
 * shard: it groups by the shard key. Every other rule spans keys and runs in
 * the coordinator, fed by the shards.
 */
export const runsInShards = (rule: Pick<Rule, "groupBy">, business: Pick<Business, "shardKey">) =>
  rule.groupBy !== undefined && rule.groupBy === business.shardKey;

/** The rules an object evaluates: all of them unless the business is sharded. */
export function rulesAt<R extends Pick<Rule, "groupBy">>(
  place: Place,
  business: Pick<Business, "shards" | "shardKey">,
  rules: R[],
): R[] {
  if (!isSharded(business)) return place.role === "shard" ? rules : [];
  return rules.filter((r) => runsInShards(r, business) === (place.role === "shard"));
}

/** An object's name: shard 0 keeps the business id (an unsharded business is unchanged). */
export function placeName(businessId: string, place: Place): string {
  if (place.role === "coordinator") return `${businessId}/coordinator`;
  return place.shard === 0 ? businessId : `${businessId}/shard/${place.shard}`;
}

/** The place an object's name stands for. */
export function placeOf(name: string): Place {
  if (name.endsWith("/coordinator")) return { role: "coordinator" };
  const m = /\/shard\/(\d+)$/.exec(name);
  return { role: "shard", shard: m ? Number(m[1]) : 0 };
}
