import type { Business } from "../../../schema/contracts/businesses";
import type { RuleStatus } from "../../../schema/contracts/rules";
import { monitorsOf } from "../../definitions/monitor";
import type { Place } from "./route";
import { isSharded } from "./route";

/**
 * Reads that the API asks of a business's first object (shard 0) and that it
 * answers for the whole business when sharded (docs/capacity.md, "Sharding"):
 * it asks the other shards and the coordinator and merges. Undefined when
 * there is nobody else to ask (unsharded, or not shard 0).
 */
export function othersOf(env: Env, business: Business, place: Place) {
  if (!isSharded(business) || place.role !== "shard" || place.shard !== 0) return undefined;
  return monitorsOf(env, business.id, business.shards).slice(1);
}

/** Each object's share of a business-wide read of at most `total` events. */
export const shareOf = (total: number, business: Pick<Business, "shards">) =>
  Math.ceil(total / business.shards);

/**
 * Rule status across the objects: a rule lives in the shards (on the shard
 * key) or in the coordinator; it is replaying while any object replays it
 * (events replayed add up), and its series add up.
 */
export function mergeRuleStatus(parts: Record<string, RuleStatus>[]): Record<string, RuleStatus> {
  const merged: Record<string, RuleStatus> = {};
  for (const part of parts) {
    for (const [id, s] of Object.entries(part)) {
      const had = merged[id];
      if (!had) {
        merged[id] = { ...s };
        continue;
      }
      if (s.history === "replaying") {
        had.replayedEvents =
          (had.history === "replaying" ? (had.replayedEvents ?? 0) : 0) + (s.replayedEvents ?? 0);
        had.history = "replaying";
      }
      if (s.groups !== undefined) had.groups = (had.groups ?? 0) + s.groups;
      if (s.warmingUp !== undefined) had.warmingUp = (had.warmingUp ?? 0) + s.warmingUp;
    }
  }
  return merged;
}
