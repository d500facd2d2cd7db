import { and, eq, isNull } from "drizzle-orm";
import type { Source, SourceCreated } from "../../schema/contracts/sources";
import { newToken } from "../lib/crypto";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import type { TokenEntry } from "./cache";
import { invalidateBusiness } from "./cache";
import { rowsOfBusiness, shown } from "./rows";

const { sources, businesses } = tables;
type SourceRow = typeof sources.$inferSelect;

/** Ingest tokens carry 192 random bits; the prefix makes leaked tokens easy to scan for. */
const TOKEN_PREFIX = "anom_";

const toSource = (row: SourceRow): Source =>
  shown(row, ["id", "businessId", "name", "tokenPrefix"], ["createdAt", "revokedAt"]);

export async function insertSource(
  db: Database,
  businessId: string,
  name: string,
): Promise<SourceCreated> {
  const { token, ...secret } = await newToken(TOKEN_PREFIX, 24);
  const at = Date.now();
  const row: SourceRow = {
    id: newId("src", at),
    businessId,
    name,
    ...secret,
    createdAt: at,
    revokedAt: null,
  };
  await db.insert(sources).values(row);
  return { ...toSource(row), token };
}

export async function listSourceRows(db: Database, businessId: string): Promise<Source[]> {
  return (await rowsOfBusiness(db, sources, businessId)).map(toSource);
}

/** Revokes a source's token; ingest in this isolate refuses it at once, elsewhere within the cache time. */
export async function revokeSource(
  db: Database,
  businessId: string,
  sourceId: string,
): Promise<void> {
  const rows = await db
    .update(sources)
    .set({ revokedAt: Date.now() })
    .where(
      and(eq(sources.businessId, businessId), eq(sources.id, sourceId), isNull(sources.revokedAt)),
    )
    .returning({ id: sources.id });
  invalidateBusiness(businessId);
  if (rows.length > 0) return;
  const existing = await db
    .select({ id: sources.id })
    .from(sources)
    .where(and(eq(sources.businessId, businessId), eq(sources.id, sourceId)));
  if (existing.length === 0) throw notFound("Source", sourceId);
}

/** The active source holding a token (by its hash), with its business's definition version. */
export async function lookupToken(db: Database, hash: string): Promise<TokenEntry | null> {
  const rows = await db
    .select({
      sourceId: sources.id,
      businessId: sources.businessId,
      version: businesses.version,
      revokedAt: sources.revokedAt,
    })
    .from(sources)
    .innerJoin(businesses, eq(businesses.id, sources.businessId))
    .where(eq(sources.tokenHash, hash));
  const row = rows[0];
  return row && row.revokedAt === null
    ? { sourceId: row.sourceId, businessId: row.businessId, version: row.version }
    : null;
}
