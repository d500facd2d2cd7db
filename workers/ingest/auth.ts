import type { Business } from "../../schema/contracts/businesses";
import { businessExists, getBusiness } from "../definitions/businesses";
import type { TokenEntry } from "../definitions/cache";
import { tokens } from "../definitions/cache";
import { lookupToken } from "../definitions/sources";
import { sha256Hex } from "../lib/crypto";
import type { Database } from "../lib/db";
import { forbidden, notFound, unauthorized } from "../lib/errors";
import { validators } from "./cache";
import type { Validator } from "./validate";
import { compileValidator } from "./validate";

export interface IngestAuth {
  sourceId: string;
  business: Business;
  validate: Validator;
}

async function resolveToken(db: Database, token: string): Promise<TokenEntry | null> {
  let entry = tokens.get(token);
  if (entry === undefined) {
    entry = await lookupToken(db, await sha256Hex(token));
    tokens.set(token, entry);
  }
  return entry;
}

async function compiled(db: Database, entry: TokenEntry): Promise<IngestAuth> {
  let definition = validators.get(entry.businessId);
  if (!definition || definition.business.version < entry.version) {
    const business = await getBusiness(db, entry.businessId);
    definition = { business, validate: compileValidator(business) };
    validators.set(entry.businessId, definition);
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
    if (!(await businessExists(db, businessId))) throw notFound("Business", businessId);
    throw forbidden("This source token belongs to another business.");
  }
  return compiled(db, entry);
}

/** The business a source token belongs to (for URLs that carry only the token); null when it is not valid. */
export async function authorizeToken(db: Database, token: string): Promise<IngestAuth | null> {
  const entry = await resolveToken(db, token);
  return entry ? compiled(db, entry) : null;
}

/**
 * A business's compiled definition for events a signed-in person enters (the
 * management gate has checked their role): `sourceId` names who entered them.
 */
export async function authorizeEntry(
  db: Database,
  businessId: string,
  sourceId: string,
): Promise<IngestAuth> {
  const business = await getBusiness(db, businessId);
  return compiled(db, { businessId, sourceId, version: business.version });
}
