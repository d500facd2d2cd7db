import { z } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import { Cursor, Limit, listOf } from "../../../schema/contracts/common";
import { listBusinesses } from "../../definitions/businesses";
import { listScope } from "../auth/scope";
import { manage } from "../routes";

/** A page of businesses: keyset by id, optionally one workspace's. */
export const BusinessPage = z.object({
  cursor: Cursor,
  limit: Limit,
  workspaceId: z.string().max(64).optional().openapi({ description: "Only this workspace's" }),
});

export default manage
  .Businesses("get", "/", "List businesses")
  .input({ query: BusinessPage })
  .json(200, listOf(Business, "BusinessList"), "A page of businesses")
  .answer(({ query }, c) => listBusinesses(c.var.db, query, listScope(c, query.workspaceId)));
