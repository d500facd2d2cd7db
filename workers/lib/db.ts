import { type Column, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as tables from "../../schema/tables";

function open(d1: D1Database) {
  return drizzle(d1, { schema: tables });
}
export type Database = ReturnType<typeof open>;

const opened = new WeakMap<D1Database, Database>();

/** The typed D1 handle, built once per binding: building it walks the whole schema, which every request paid for before. */
export function database(d1: D1Database): Database {
  let db = opened.get(d1);
  if (!db) {
    db = open(d1);
    opened.set(d1, db);
  }
  return db;
}
export { tables };

/**
 * `column in (values)` with the values as one bound JSON list: D1 binds at
 * most 100 variables in a statement, and `inArray` binds one a value (a
 * person in a hundred workspaces made every list of theirs answer 500).
 */
export function inList(column: Column, values: readonly string[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}
