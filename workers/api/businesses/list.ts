import { createRoute, z } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import { Cursor, Limit, listOf } from "../../../schema/contracts/common";
import { listBusinesses } from "../../definitions/businesses";
import { listScope } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

/** A page of businesses: keyset by id, optionally one workspace's. */
export const BusinessPage = z.object({
  cursor: Cursor,
  limit: Limit,
  workspaceId: z.string().max(64).optional().openapi({ description: "Only this workspace's" }),
});

export const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Businesses"],
  summary: "List businesses",
  security: adminSecurity,
  request: {
    query: BusinessPage,
  },
  responses: {
    200: jsonResponse(listOf(Business, "BusinessList"), "A page of businesses"),
    ...problems(401, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const query = c.req.valid("query");
  return c.json(await listBusinesses(c.var.db, query, listScope(c, query.workspaceId)), 200);
};
