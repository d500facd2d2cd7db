import type { Source, SourceCreated } from "../../../schema/contracts/sources";
import { getBusiness } from "../../definitions/businesses";
import { insertSource, listSourceRows } from "../../definitions/sources";
import type { Database } from "../../lib/db";

export async function createSource(
  db: Database,
  businessId: string,
  name: string,
): Promise<SourceCreated> {
  await getBusiness(db, businessId);
  return insertSource(db, businessId, name);
}

export async function listSources(db: Database, businessId: string): Promise<Source[]> {
  await getBusiness(db, businessId);
  return listSourceRows(db, businessId);
}
