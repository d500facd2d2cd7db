import type { Business } from "../../schema/contracts/businesses";
import { businessExists, getBusiness } from "../definitions/businesses";
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

/** Checks a source token against the business in the path and returns its compiled definition. */
export async function authorizeIngest(
  db: Database,
  token: string | undefined,
  businessId: string,
): Promise<IngestAuth> {
  if (!token) throw unauthorized("Send the source token as 'Authorization: Bearer <token>'.");
  const hash = await sha256Hex(token);
  let entry = tokens.get(hash);
  if (entry === undefined) {
    entry = await lookupToken(db, hash);
    tokens.set(hash, entry);
  }
  if (!entry) throw unauthorized("The source token is not valid or was revoked.");
  if (entry.businessId !== businessId) {
    // Tell a wrong business apart from a missing one only to a holder of a valid token.
    if (!(await businessExists(db, businessId))) throw notFound("Business", businessId);
    throw forbidden("This source token belongs to another business.");
  }
  let compiled = validators.get(businessId);
  if (!compiled || compiled.business.version < entry.version) {
    const business = await getBusiness(db, businessId);
    compiled = { business, validate: compileValidator(business) };
    validators.set(businessId, compiled);
  }
  return { sourceId: entry.sourceId, ...compiled };
}
