import { and, asc, eq, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "../lib/db";
import { notFound } from "../lib/errors";
import { iso } from "../lib/time";
import { publish } from "./publish";

/** A table keyed by `id`. */
export type IdTable = SQLiteTable & { id: SQLiteColumn };
/** A table of a business's definitions: rows with an `id`, under a `businessId`. */
type BusinessTable = IdTable & { businessId: SQLiteColumn };

/** The one row of `table` that meets `where`, or a 404 naming it (`what`: "Channel", and its `id`). */
async function oneRow<T extends IdTable>(
  db: Database,
  table: T,
  where: SQL | undefined,
  what: string,
  id: string,
): Promise<T["$inferSelect"]> {
  const [row] = await db
    .select()
    .from(table as SQLiteTable)
    .where(where);
  if (!row) throw notFound(what, id);
  return row as T["$inferSelect"];
}

/** The row `id` of `table`, or a 404 naming it (`what`: "Alert"). */
export const rowById = <T extends IdTable>(db: Database, table: T, what: string, id: string) =>
  oneRow(db, table, eq(table.id, id), what, id);

/** A business's rows of `table`, by id. */
export async function rowsOfBusiness<T extends BusinessTable>(
  db: Database,
  table: T,
  businessId: string,
): Promise<T["$inferSelect"][]> {
  const rows = db
    .select()
    .from(table as SQLiteTable)
    .where(eq(table.businessId, businessId));
  return (await rows.orderBy(asc(table.id))) as T["$inferSelect"][];
}

/** The condition for the row `id` of a business. */
export const rowIs = (table: BusinessTable, businessId: string, id: string) =>
  and(eq(table.businessId, businessId), eq(table.id, id));

/** The row `id` of a business, or a 404 naming it (`what`: "Channel"), for another business's too. */
export async function rowOfBusiness<T extends BusinessTable>(
  db: Database,
  table: T,
  what: string,
  businessId: string,
  id: string,
): Promise<T["$inferSelect"]> {
  return oneRow(db, table, rowIs(table, businessId, id), what, id);
}

/** Deletes the row `id` of a business (a 404 if there is none) and publishes the definitions. */
export async function removeFromBusiness(
  env: Env,
  db: Database,
  table: BusinessTable,
  what: string,
  businessId: string,
  id: string,
): Promise<void> {
  await rowOfBusiness(db, table, what, businessId, id);
  await publish(env, db, businessId, [db.delete(table).where(rowIs(table, businessId, id))]);
}

/** The ids of a business's rows of `table`. */
export async function idsOfBusiness(
  db: Database,
  table: BusinessTable,
  businessId: string,
): Promise<Set<string>> {
  const rows = await db
    .select({ id: table.id })
    .from(table as SQLiteTable)
    .where(eq(table.businessId, businessId));
  return new Set(rows.map((r) => String(r.id)));
}

type Times<R, T extends keyof R> = { [K in T]: R[K] extends number ? string : string | null };

/**
 * A row as the API shows it: the `columns` as they are stored, and the `times`
 * (epoch milliseconds, or null) as RFC 3339 text (or null).
 */
export function shown<R extends object, C extends keyof R, T extends keyof R>(
  row: R,
  columns: readonly C[],
  times: readonly T[],
): Pick<R, C> & Times<R, T> {
  const out: Partial<Record<keyof R, unknown>> = {};
  for (const column of columns) out[column] = row[column];
  for (const time of times) out[time] = iso(row[time] as number | null);
  return out as Pick<R, C> & Times<R, T>;
}
