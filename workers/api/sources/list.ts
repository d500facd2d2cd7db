import { createRoute } from "@hono/zod-openapi";
import { listOf } from "../../../schema/contracts/common";
import { Source } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listSources } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/sources",
  tags: ["Sources"],
  summary: "List a business's sources (tokens are never shown again)",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: {
    200: jsonResponse(listOf(Source, "SourceList"), "The sources"),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json({ items: await listSources(c.var.db, c.req.valid("param").id), nextCursor: null }, 200);
