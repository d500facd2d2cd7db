import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { invalidateBusiness } from "./cache";
import { monitorsOf } from "./monitor";

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
  const objects = await objectsOf(env, db, businessId);
  await Promise.all(objects.map((m) => m.syncRules(businessId)));
}

/** Every object of the business (its shards and coordinator), from the stored shard count. */
async function objectsOf(env: Env, db: Database, businessId: string) {
  const [row] = await db
    .select({ shards: businesses.shards })
    .from(businesses)
    .where(eq(businesses.id, businessId));
  return monitorsOf(env, businessId, row?.shards ?? 1);
}

/** Commits a change to a business's silences, then its Durable Object judges suppression again. */
export async function publishSilences(
  env: Env,
  db: Database,
  businessId: string,
  write: Write,
): Promise<void> {
  await db.batch([write]);
  const objects = await objectsOf(env, db, businessId);
  await Promise.all(objects.map((m) => m.syncSilences(businessId)));
}
