import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type {
  Business,
  BusinessCreate,
  BusinessPatch,
  Field,
  FieldPatch,
} from "../../../schema/contracts/businesses";
import { defaultTimeField, timeFieldProblem } from "../../../schema/contracts/businesses";
import { invalidateBusiness } from "../../ingest/cache";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { conflict, invalid, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import { rulesBrokenBy } from "../rules/service";

const { businesses, fields } = tables;
type BusinessRow = typeof businesses.$inferSelect;
type FieldRow = typeof fields.$inferSelect;

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
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function fieldRow(businessId: string, f: Field, position: number): FieldRow {
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
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const fieldRows = input.fields.map((f, i) => fieldRow(row.id, f, i));
  const insertFields = fieldRows.map((f) => db.insert(fields).values(f));
  await db.batch([db.insert(businesses).values(row), ...insertFields]);
  return toBusiness(row, fieldRows);
}

export async function getBusiness(db: Database, id: string): Promise<Business> {
  const [row, fieldRows] = await db.batch([
    db.select().from(businesses).where(eq(businesses.id, id)),
    db.select().from(fields).where(eq(fields.businessId, id)).orderBy(asc(fields.position)),
  ]);
  if (!row[0]) throw notFound("Business", id);
  return toBusiness(row[0], fieldRows);
}

export async function listBusinesses(
  db: Database,
  q: { cursor?: string | undefined; limit: number },
  workspaceIds: string[] | null,
): Promise<{ items: Business[]; nextCursor: string | null }> {
  if (workspaceIds?.length === 0) return { items: [], nextCursor: null };
  const rows = await db
    .select()
    .from(businesses)
    .where(
      and(
        q.cursor ? gt(businesses.id, q.cursor) : undefined,
        workspaceIds ? inArray(businesses.workspaceId, workspaceIds) : undefined,
      ),
    )
    .orderBy(asc(businesses.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const ids = page.map((r) => r.id);
  const fieldRows = ids.length
    ? await db
        .select()
        .from(fields)
        .where(sql`${fields.businessId} in ${ids}`)
        .orderBy(asc(fields.position))
    : [];
  const items = page.map((r) =>
    toBusiness(
      r,
      fieldRows.filter((f) => f.businessId === r.id),
    ),
  );
  return { items, nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}

/** Bumps the business's version so caches keyed on it (ingest validators, rule engine) refresh. */
export function bumpVersion(db: Database, id: string, set: Partial<BusinessRow> = {}) {
  invalidateBusiness(id);
  return db
    .update(businesses)
    .set({ ...set, version: sql`${businesses.version} + 1`, updatedAt: Date.now() })
    .where(eq(businesses.id, id));
}

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
  await bumpVersion(db, id, set);
  await applyDefinition(env, id);
  return getBusiness(db, id);
}

/** Deletes the definitions and the recent history; the R2 archive is kept. */
export async function deleteBusiness(env: Env, db: Database, id: string): Promise<void> {
  const deleted = await db
    .delete(businesses)
    .where(eq(businesses.id, id))
    .returning({ id: businesses.id });
  if (deleted.length === 0) throw notFound("Business", id);
  invalidateBusiness(id);
  await env.BUSINESS.get(env.BUSINESS.idFromName(id)).destroy();
}

/** Refuses a field change that would leave a rule unable to run. */
async function assertRulesSurvive(db: Database, next: Business): Promise<void> {
  const broken = await rulesBrokenBy(db, next);
  const first = broken[0];
  if (first) {
    throw conflict(
      `Rule '${first.rule.name}' (${first.rule.id}) depends on this field: ${first.problem}. Change or delete the rule first.`,
    );
  }
}

/** Lets the business's Durable Object pick up a changed definition at once (timers, time zone). */
export async function applyDefinition(env: Env, businessId: string): Promise<void> {
  await env.BUSINESS.get(env.BUSINESS.idFromName(businessId)).syncRules(businessId);
}

export async function addField(
  env: Env,
  db: Database,
  businessId: string,
  input: Field,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  if (current.fields.some((f) => f.name === input.name)) {
    throw conflict(`Field '${input.name}' already exists; change it with PATCH.`);
  }
  if (input.name === current.timeField && input.type !== "timestamp") {
    throw invalid("type", `'${input.name}' is the time field, so its type must be timestamp`);
  }
  if (current.fields.length >= 200) throw invalid("name", "a business has at most 200 fields");
  const position = current.fields.length;
  await db.batch([
    db.insert(fields).values(fieldRow(businessId, input, position)),
    bumpVersion(db, businessId),
  ]);
  await applyDefinition(env, businessId);
  return getBusiness(db, businessId);
}

export async function updateField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
  patch: FieldPatch,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  const field = current.fields.find((f) => f.name === name);
  if (!field) throw notFound("Field", name);
  const next: Field = { ...field };
  if (patch.type !== undefined) next.type = patch.type;
  if (patch.required !== undefined) next.required = patch.required;
  if (patch.values !== undefined) next.values = patch.values;
  if (patch.values !== undefined && next.type !== "enum") {
    throw invalid("values", "only enum fields have values");
  }
  if (next.type !== "enum") delete next.values;
  if (patch.unit !== undefined) next.unit = patch.unit ?? undefined;
  if (patch.description !== undefined) next.description = patch.description ?? undefined;
  if (next.type === "enum" && !next.values) {
    throw invalid("values", "an enum field needs its list of values");
  }
  if (name === current.timeField && next.type !== "timestamp") {
    throw invalid("type", `'${name}' is the time field, so its type must be timestamp`);
  }
  await assertRulesSurvive(db, {
    ...current,
    fields: current.fields.map((f) => (f.name === name ? next : f)),
  });
  const row = fieldRow(businessId, next, 0);
  await db.batch([
    db
      .update(fields)
      .set({
        type: row.type,
        required: row.required,
        values: row.values,
        unit: row.unit,
        description: row.description,
      })
      .where(and(eq(fields.businessId, businessId), eq(fields.name, name))),
    bumpVersion(db, businessId),
  ]);
  await applyDefinition(env, businessId);
  return getBusiness(db, businessId);
}

export async function deleteField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
): Promise<Business> {
  const current = await getBusiness(db, businessId);
  if (!current.fields.some((f) => f.name === name)) throw notFound("Field", name);
  const remaining = current.fields.filter((f) => f.name !== name);
  if (name === current.timeField && timeFieldProblem(remaining, name)) {
    throw invalid("name", `'${name}' is the time field; set another timeField before removing it`);
  }
  await assertRulesSurvive(db, {
    ...current,
    fields: current.fields.filter((f) => f.name !== name),
  });
  await db.batch([
    db.delete(fields).where(and(eq(fields.businessId, businessId), eq(fields.name, name))),
    bumpVersion(db, businessId),
  ]);
  await applyDefinition(env, businessId);
  return getBusiness(db, businessId);
}
