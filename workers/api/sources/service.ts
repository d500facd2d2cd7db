import { and, asc, eq, isNull } from "drizzle-orm";
import type { Source, SourceCreated } from "../../../schema/contracts/sources";
import { invalidateBusiness } from "../../ingest/cache";
import { randomToken, sha256Hex } from "../../lib/crypto";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { iso } from "../../lib/time";
import { getBusiness } from "../businesses/service";

const { sources } = tables;
type SourceRow = typeof sources.$inferSelect;

/** Ingest tokens carry 192 random bits; the prefix makes leaked tokens easy to scan for. */
const TOKEN_PREFIX = "anom_";

function toSource(row: SourceRow): Source {
  return {
    id: row.id,
    businessId: row.businessId,
    name: row.name,
    tokenPrefix: row.tokenPrefix,
    createdAt: iso(row.createdAt),
    revokedAt: iso(row.revokedAt),
  };
}

export async function createSource(
  db: Database,
  businessId: string,
  name: string,
): Promise<SourceCreated> {
  await getBusiness(db, businessId);
  const token = TOKEN_PREFIX + randomToken(24);
  const at = Date.now();
  const row: SourceRow = {
    id: newId("src", at),
    businessId,
    name,
    tokenHash: await sha256Hex(token),
    tokenPrefix: token.slice(0, TOKEN_PREFIX.length + 6),
    createdAt: at,
    revokedAt: null,
  };
  await db.insert(sources).values(row);
  return { ...toSource(row), token };
}

export async function listSources(db: Database, businessId: string): Promise<Source[]> {
  await getBusiness(db, businessId);
  const rows = await db
    .select()
    .from(sources)
    .where(eq(sources.businessId, businessId))
    .orderBy(asc(sources.id));
  return rows.map(toSource);
}

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
