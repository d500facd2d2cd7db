import { and, desc, lt, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "../lib/db";
import type { IdTable } from "./rows";

/** Where a page starts (the last id of the page before) and how long it is. */
export interface PageQuery {
  cursor?: string | undefined;
  limit: number;
}

/**
 * A page of `limit` rows from rows read with one more (`limit + 1`), as
 * `items`, with the cursor of the next page (the last id shown) when there are
 * more.
 */
export function pageOf<R extends { id: string }, I>(
  rows: R[],
  limit: number,
  item: (row: R) => I,
): { items: I[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return {
    items: page.map(item),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * The rows of `table` (its ids in time order) that meet every condition of `where`, newest first,
 * after `q.cursor`: `q.limit` and one more, for `pageOf`.
 */
export async function newestFirst<T extends IdTable>(
  db: Database,
  table: T,
  where: (SQL | undefined)[],
  q: PageQuery,
): Promise<T["$inferSelect"][]> {
  const rows = await db
    .select()
    .from(table as SQLiteTable)
    .where(and(...where, q.cursor ? lt(table.id, q.cursor) : undefined))
    .orderBy(desc(table.id))
    .limit(q.limit + 1);
  return rows as T["$inferSelect"][];
}
