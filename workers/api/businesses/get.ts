import { createRoute, z } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import { IdParam } from "../../../schema/contracts/common";
import { getBusiness } from "../../definitions/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const BusinessParams = z.object({ id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq") });

export const route = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Businesses"],
  summary: "Get a business",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: { 200: jsonResponse(Business, "The business"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await getBusiness(c.var.db, c.req.valid("param").id), 200);
