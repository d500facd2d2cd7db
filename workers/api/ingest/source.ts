import type { Context } from "hono";
import type { IngestAuth } from "../../ingest/auth";
import { authorizeIngest } from "../../ingest/auth";
import { bearerToken } from "../auth/bearer";
import type { AppEnv } from "../context";

/**
 * The preamble every way in with a business in its path shares: the source
 * token (by default `Authorization: Bearer`) must belong to that business.
 * 401 without a valid token, 404 for an unknown business, 403 for another's.
 */
export function authorizeSource(
  c: Context<AppEnv>,
  token: string | undefined = bearerToken(c.req.header("authorization")),
): Promise<IngestAuth> {
  return authorizeIngest(c.var.db, token, c.req.param("businessId") ?? "");
}
