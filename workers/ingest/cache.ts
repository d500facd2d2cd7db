import type { Business } from "../../schema/contracts/businesses";
import { TtlCache } from "../lib/ttl-cache";
import { AUTH_CACHE_MS } from "./limits";
import type { Validator } from "./validate";

export interface TokenEntry {
  sourceId: string;
  businessId: string;
  /** The business's definition version when the token was looked up. */
  version: number;
}

/** Token hash → source (null: no such active token). Cached so ingest rarely reaches D1. */
export const tokens = new TtlCache<string, TokenEntry | null>(AUTH_CACHE_MS);
/** Compiled validators by business, kept while their version is current. */
export const definitions = new Map<string, { business: Business; validate: Validator }>();

/**
 * Forget what this isolate cached about a business, after its definition changed
 * or a token was revoked here. Other isolates catch up within AUTH_CACHE_MS.
 */
export function invalidateBusiness(businessId: string): void {
  tokens.deleteWhere((entry) => entry?.businessId === businessId);
  definitions.delete(businessId);
}
