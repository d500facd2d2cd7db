import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { invalidateBusiness } from "./cache";
import { monitorOf } from "./monitor";

const { businesses } = tables;
export type BusinessRow = typeof businesses.$inferSelect;
export type Write = BatchItem<"sqlite">;

/**
 * Commits a change to a business's definition (fields, rules, channels, settings):
 * the writes and a version bump in one batch, then this isolate's cached copies are
 * forgotten, then the business's Durable Object loads the new definition.
 */
export async function publish(
  env: Env,
  db: Database,
  businessId: string,
  writes: Write[],
  set: Partial<BusinessRow> = {},
): Promise<void> {
  const bump = db
    .update(businesses)
    .set({ ...set, version: sql`${businesses.version} + 1`, updatedAt: Date.now() })
    .where(eq(businesses.id, businessId));
  await db.batch([bump, ...writes]);
  invalidateBusiness(businessId);
  await monitorOf(env, businessId).syncRules(businessId);
}

/** Commits a change to a business's silences, then its Durable Object judges suppression again. */
export async function publishSilences(
  env: Env,
  db: Database,
  businessId: string,
  write: Write,
): Promise<void> {
  await db.batch([write]);
  await monitorOf(env, businessId).syncSilences(businessId);
}
