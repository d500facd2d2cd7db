import type { Business, FieldType } from "../../schema/contracts/businesses";
import type { Rule } from "../../schema/contracts/rules";
import { conflict } from "../lib/errors";
import { monitorsOf } from "./monitor";

/**
 * The shard settings of a business (contract "Scale"): checks, the default
 * shard key, and the rule that the layout is fixed once events arrived
 * (docs/capacity.md, "Changing the shard count").
 */

interface Shape {
  fields: { name: string; type: FieldType }[];
  allowUnknownFields: boolean;
  timeField?: string | undefined;
}

/** Why `shardKey` cannot shard this business; undefined when it can. */
export function shardKeyProblem(
  business: Shape,
  shards: number,
  shardKey: string | null,
  rules: Pick<Rule, "groupBy">[],
): string | undefined {
  if (shardKey === null) {
    if (shards === 1) return undefined;
    return rules.some((r) => r.groupBy)
      ? undefined
      : "name the field to shard by: no rule of this business groups by a field to take it from";
  }
  if (shardKey === business.timeField) return `'${shardKey}' is the time field; shard by a key`;
  const declared = business.fields.find((f) => f.name === shardKey);
  if (!declared && !business.allowUnknownFields)
    return `'${shardKey}' is not a field of this business`;
  if (
    declared &&
    declared.type !== "string" &&
    declared.type !== "integer" &&
    declared.type !== "enum"
  )
    return `'${shardKey}' is a ${declared.type} field; shard by a string, integer or enum field`;
  return undefined;
}

/** The field most of the rules group by (ties: the first in rule order), or null. */
export function defaultShardKey(rules: Pick<Rule, "groupBy">[]): string | null {
  const counts = new Map<string, number>();
  for (const r of rules) if (r.groupBy) counts.set(r.groupBy, (counts.get(r.groupBy) ?? 0) + 1);
  let best: string | null = null;
  for (const [field, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = field;
  return best;
}

/**
 * Refuses to move a business that already received events to another layout:
 * its events, rule state and alerts live in the objects of the old one.
 */
export async function assertLayoutFree(env: Env, business: Business): Promise<void> {
  const objects = monitorsOf(env, business.id, business.shards);
  const received = await Promise.all(objects.map((m) => m.hasReceived(business.id)));
  if (received.some(Boolean)) {
    throw conflict(
      'The shard layout (shards, shardKey) of a business that has received events cannot change: its events, rule state and alerts live in the objects of the current layout. Create a new business with the layout you need and point the sources at it (docs/capacity.md, "Changing the shard count").',
    );
  }
}
