import { eq } from "drizzle-orm";
import type { Business } from "../../schema/contracts/businesses";
import { getBusiness } from "../api/businesses/service";
import { sha256Hex } from "../lib/crypto";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { forbidden, notFound, unauthorized } from "../lib/errors";
import type { TokenEntry } from "./cache";
import { definitions, tokens } from "./cache";
import type { Validator } from "./validate";
import { compileValidator } from "./validate";

const { sources, businesses } = tables;

async function lookupToken(db: Database, hash: string): Promise<TokenEntry | null> {
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

export interface IngestAuth {
  sourceId: string;
  business: Business;
  validate: Validator;
}

async function resolveToken(db: Database, token: string): Promise<TokenEntry | null> {
  const hash = await sha256Hex(token);
  let entry = tokens.get(hash);
  if (entry === undefined) {
    entry = await lookupToken(db, hash);
    tokens.set(hash, entry);
  }
  return entry;
}

async function compiled(db: Database, entry: TokenEntry): Promise<IngestAuth> {
  let definition = definitions.get(entry.businessId);
  if (!definition || definition.business.version < entry.version) {
    const business = await getBusiness(db, entry.businessId);
    definition = { business, validate: compileValidator(business) };
    definitions.set(entry.businessId, definition);
  }
  return { sourceId: entry.sourceId, ...definition };
}

/** Checks a source token against the business in the path and returns its compiled definition. */
export async function authorizeIngest(
  db: Database,
  token: string | undefined,
  businessId: string,
): Promise<IngestAuth> {
  if (!token) throw unauthorized("Send the source token as 'Authorization: Bearer <token>'.");
  const entry = await resolveToken(db, token);
  if (!entry) throw unauthorized("The source token is not valid or was revoked.");
  if (entry.businessId !== businessId) {
    // Tell a wrong business apart from a missing one only to a holder of a valid token.
    const exists = await db
      .select({ id: businesses.id })
      .from(businesses)
      .where(eq(businesses.id, businessId));
    if (exists.length === 0) throw notFound("Business", businessId);
    throw forbidden("This source token belongs to another business.");
  }
  return compiled(db, entry);
}

/** The business a source token belongs to (for URLs that carry only the token); null when it is not valid. */
export async function authorizeToken(db: Database, token: string): Promise<IngestAuth | null> {
  const entry = await resolveToken(db, token);
  return entry ? compiled(db, entry) : null;
}
