import { createRoute, z } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import { Cursor, Limit, listOf } from "../../../schema/contracts/common";
import { listBusinesses } from "../../definitions/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Businesses"],
  summary: "List businesses",
  security: adminSecurity,
  request: { query: z.object({ cursor: Cursor, limit: Limit }) },
  responses: {
    200: jsonResponse(listOf(Business, "BusinessList"), "A page of businesses"),
    ...problems(401, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await listBusinesses(c.var.db, c.req.valid("query")), 200);
