import type { Business, BusinessPatch } from "../../../schema/contracts/businesses";
import { timeFieldProblem } from "../../../schema/contracts/businesses";
import { getBusiness, updateBusiness as saveBusiness } from "../../definitions/businesses";
import type { BusinessRow } from "../../definitions/publish";
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
  return saveBusiness(env, db, id, set);
}
