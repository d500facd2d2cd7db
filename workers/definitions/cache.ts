import { TtlCache } from "../lib/ttl-cache";

/** How long a token or definition is cached in an isolate: revocations and field changes take effect within it. */
export const AUTH_CACHE_MS = 5_000;

export interface TokenEntry {
  sourceId: string;
  businessId: string;
  /** The business's definition version when the token was looked up. */
  version: number;
}

/**
 * Source token → source (null: no such active token). Cached so ingest rarely
 * reaches D1 and hashes a token once per isolate and AUTH_CACHE_MS, not per
 * request; the token stays in this isolate's memory only (D1 holds its hash).
 */
export const tokens = new TtlCache<string, TokenEntry | null>(AUTH_CACHE_MS);

const perBusiness: Map<string, unknown>[] = [];

/** A map keyed by business id that `invalidateBusiness` clears with the rest (compiled validators, say). */
export function businessCache<V>(): Map<string, V> {
  const map = new Map<string, V>();
  perBusiness.push(map);
  return map;
}

/**
 * Forget what this isolate cached about a business, after a change to its definition
 * committed or a token was revoked here. Other isolates catch up within AUTH_CACHE_MS.
 */
export function invalidateBusiness(businessId: string): void {
  tokens.deleteWhere((entry) => entry?.businessId === businessId);
  for (const map of perBusiness) map.delete(businessId);
}
