import { and, eq } from "drizzle-orm";
import type { Business, Field } from "../../schema/contracts/businesses";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { fieldRow, getBusiness } from "./businesses";
import { publish } from "./publish";

const { fields } = tables;
const fieldIs = (businessId: string, name: string) =>
  and(eq(fields.businessId, businessId), eq(fields.name, name));

/** Appends a field to a business's definition and publishes it. */
export async function insertField(
  env: Env,
  db: Database,
  businessId: string,
  field: Field,
  position: number,
): Promise<Business> {
  await publish(env, db, businessId, [
    db.insert(fields).values(fieldRow(businessId, field, position)),
  ]);
  return getBusiness(db, businessId);
}

/** Replaces a field (its name and position stay) and publishes the definition. */
export async function replaceField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
  next: Field,
): Promise<Business> {
  const { type, required, values, unit, description } = fieldRow(businessId, next, 0);
  await publish(env, db, businessId, [
    db
      .update(fields)
      .set({ type, required, values, unit, description })
      .where(fieldIs(businessId, name)),
  ]);
  return getBusiness(db, businessId);
}

export async function removeField(
  env: Env,
  db: Database,
  businessId: string,
  name: string,
): Promise<Business> {
  await publish(env, db, businessId, [db.delete(fields).where(fieldIs(businessId, name))]);
  return getBusiness(db, businessId);
}
