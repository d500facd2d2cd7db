import type { Business, BusinessPatch } from "../../../schema/contracts/businesses";
import { timeFieldProblem } from "../../../schema/contracts/businesses";
import { getBusiness, updateBusiness as saveBusiness } from "../../definitions/businesses";
import type { BusinessRow } from "../../definitions/publish";
import { listRules } from "../../definitions/rules";
import { assertLayoutFree, defaultShardKey, shardKeyProblem } from "../../definitions/shards";
import type { Database } from "../../lib/db";
import { invalid } from "../../lib/errors";

/** Checks a patch of the business's settings and publishes it. */
export async function updateBusiness(
  env: Env,
  db: Database,
  id: string,
  patch: BusinessPatch,
): Promise<Business> {
  const current = await getBusiness(db, id);
  if (patch.timeField !== undefined) {
    const problem = timeFieldProblem(current.fields, patch.timeField);
    if (problem) throw invalid("timeField", problem);
  }
  const set: Partial<BusinessRow> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.timezone !== undefined) set.timezone = patch.timezone;
  if (patch.timeField !== undefined) set.timeField = patch.timeField;
  if (patch.allowUnknownFields !== undefined) set.allowUnknownFields = patch.allowUnknownFields;
  if (patch.retention?.days !== undefined) set.retentionDays = patch.retention.days;
  if (patch.retention?.maxEvents !== undefined) set.retentionMaxEvents = patch.retention.maxEvents;
  Object.assign(set, await shardChange(env, db, current, patch));
  return saveBusiness(env, db, id, set);
}

/** The shard layout a patch asks for, checked; nothing when it keeps the current one. */
async function shardChange(
  env: Env,
  db: Database,
  current: Business,
  patch: BusinessPatch,
): Promise<Partial<BusinessRow>> {
  if (patch.shards === undefined && patch.shardKey === undefined) return {};
  const shards = patch.shards ?? current.shards;
  const rules = await listRules(db, current.id);
  // The default key is resolved now and kept: routing must not move when rules change later.
  const shardKey =
    patch.shardKey ?? current.shardKey ?? (shards > 1 ? defaultShardKey(rules) : null);
  const shape = { ...current, ...patch, timeField: patch.timeField ?? current.timeField };
  const problem = shardKeyProblem(shape, shards, shardKey, rules);
  if (problem) throw invalid("shardKey", problem);
  const moves = shards !== current.shards || (shards > 1 && shardKey !== current.shardKey);
  if (moves) await assertLayoutFree(env, current);
  return { shards, shardKey };
}
