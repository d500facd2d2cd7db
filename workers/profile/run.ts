import { businessIds, getBusiness } from "../definitions/businesses";
import { monitorOf } from "../definitions/monitor";
import { listRules } from "../definitions/rules";
import { listSuggestions, saveProfile } from "../definitions/suggestions";
import type { Database } from "../lib/db";

/**
 * Runs the profile engine over the business's history (in its Durable Object,
 * next to the events) and stores what it drafted (see `saveProfile`).
 */
export async function runProfile(env: Env, db: Database, businessId: string) {
  await getBusiness(db, businessId);
  const rules = await listRules(db, businessId);
  const found = await monitorOf(env, businessId).profile(businessId, rules);
  await saveProfile(db, businessId, found);
  return listSuggestions(db, businessId, "pending");
}

/** Profiles every business (the daily Cron Trigger); one failure does not stop the others. */
export async function profileAll(env: Env, db: Database): Promise<void> {
  for (const id of await businessIds(db)) {
    try {
      await runProfile(env, db, id);
    } catch (error) {
      console.error(`profile of business ${id} failed`, error);
    }
  }
}
