import { and, asc, eq, gt, gte, lte } from "drizzle-orm";
import type { Business, BusinessCreate, Field } from "../../schema/contracts/businesses";
import { defaultTimeField } from "../../schema/contracts/businesses";
import type { Database } from "../lib/db";
import { inList, tables } from "../lib/db";
import { invalid, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import { invalidateBusiness } from "./cache";
import { monitorsOf } from "./monitor";
import { pageOf } from "./pages";
import type { BusinessRow } from "./publish";
import { publish } from "./publish";
import { shardKeyProblem } from "./shards";

const { businesses, fields } = tables;
export type FieldRow = typeof fields.$inferSelect;

export function toField(row: FieldRow): Field {
  const field: Field = { name: row.name, type: row.type, required: row.required };
  if (row.values) field.values = row.values;
  if (row.unit) field.unit = row.unit;
  if (row.description) field.description = row.description;
  return field;
}

export function toBusiness(row: BusinessRow, fieldRows: FieldRow[]): Business {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    timezone: row.timezone,
    timeField: row.timeField,
    allowUnknownFields: row.allowUnknownFields,
    retention: { days: row.retentionDays, maxEvents: row.retentionMaxEvents },
    fields: fieldRows.map(toField),
    shards: row.shards,
    shardKey: row.shardKey,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function fieldRow(businessId: string, f: Field, position: number): FieldRow {
  return {
    businessId,
    name: f.name,
    type: f.type,
    required: f.required,
    values: f.values ?? null,
    unit: f.unit ?? null,
    description: f.description ?? null,
    position,
  };
}

export async function createBusiness(
  db: Database,
  workspaceId: string,
  input: BusinessCreate,
): Promise<Business> {
  const at = Date.now();
  const row: BusinessRow = {
    id: newId("bus", at),
    workspaceId,
    name: input.name,
    description: input.description,
    timezone: input.timezone,
    timeField: input.timeField ?? defaultTimeField(input.fields),
    allowUnknownFields: input.allowUnknownFields,
    retentionDays: input.retention.days,
    retentionMaxEvents: input.retention.maxEvents,
    shards: input.shards,
    shardKey: input.shardKey ?? null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const problem = shardKeyProblem(input, input.shards, row.shardKey, []);
  if (problem) throw invalid("shardKey", problem);
  const fieldRows = input.fields.map((f, i) => fieldRow(row.id, f, i));
  const insertFields = fieldRows.map((f) => db.insert(fields).values(f));
  await db.batch([db.insert(businesses).values(row), ...insertFields]);
  return toBusiness(row, fieldRows);
}

/** The business with its fields, or undefined when there is none with this id. */
export async function findBusiness(db: Database, id: string): Promise<Business | undefined> {
  const [row, fieldRows] = await db.batch([
    db.select().from(businesses).where(eq(businesses.id, id)),
    db.select().from(fields).where(eq(fields.businessId, id)).orderBy(asc(fields.position)),
  ]);
  return row[0] ? toBusiness(row[0], fieldRows) : undefined;
}

export async function getBusiness(db: Database, id: string): Promise<Business> {
  const business = await findBusiness(db, id);
  if (!business) throw notFound("Business", id);
  return business;
}

export async function businessExists(db: Database, id: string): Promise<boolean> {
  const rows = await db.select({ id: businesses.id }).from(businesses).where(eq(businesses.id, id));
  return rows.length > 0;
}

export async function businessIds(db: Database): Promise<string[]> {
  return (await db.select({ id: businesses.id }).from(businesses)).map((b) => b.id);
}

export async function listBusinesses(
  db: Database,
  q: { cursor?: string | undefined; limit: number },
  /** The workspaces listed; null: all (the instance owner). */
  workspaceIds: string[] | null,
): Promise<{ items: Business[]; nextCursor: string | null }> {
  if (workspaceIds?.length === 0) return { items: [], nextCursor: null };
  const rows = await db
    .select()
    .from(businesses)
    .where(
      and(
        q.cursor ? gt(businesses.id, q.cursor) : undefined,
        workspaceIds ? inList(businesses.workspaceId, workspaceIds) : undefined,
      ),
    )
    .orderBy(asc(businesses.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  // A page is a contiguous run of ids, so one range query fetches its fields; a list of
  // ids would pass D1's limit of 100 bound parameters on a page of 200. (Filtered by
  // workspace, the range may also hold other workspaces' businesses: their fields are dropped.)
  const first = page[0]?.id;
  const last = page.at(-1)?.id;
  const fieldRows =
    first && last
      ? await db
          .select()
          .from(fields)
          .where(and(gte(fields.businessId, first), lte(fields.businessId, last)))
          .orderBy(asc(fields.position))
      : [];
  const byBusiness = Map.groupBy(fieldRows, (f) => f.businessId);
  return pageOf(rows, q.limit, (r) => toBusiness(r, byBusiness.get(r.id) ?? []));
}

/** Changes a business's settings (name, time zone, retention…) and publishes the new definition. */
export async function updateBusiness(
  env: Env,
  db: Database,
  id: string,
  set: Partial<BusinessRow>,
): Promise<Business> {
  await publish(env, db, id, [], set);
  return getBusiness(db, id);
}

/** Deletes the definitions and the recent history; the R2 archive is kept. */
export async function deleteBusiness(env: Env, db: Database, id: string): Promise<void> {
  const deleted = await db
    .delete(businesses)
    .where(eq(businesses.id, id))
    .returning({ id: businesses.id, shards: businesses.shards });
  if (deleted.length === 0) throw notFound("Business", id);
  invalidateBusiness(id);
  await Promise.all(monitorsOf(env, id, deleted[0]?.shards ?? 1).map((m) => m.destroy()));
}
