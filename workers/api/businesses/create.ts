import { createRoute } from "@hono/zod-openapi";
import { Business, BusinessCreate } from "../../../schema/contracts/businesses";
import { createBusiness } from "../../definitions/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Businesses"],
  summary: "Create a business with its fields",
  security: adminSecurity,
  request: { body: jsonBody(BusinessCreate) },
  responses: { 201: jsonResponse(Business, "The new business"), ...problems(400, 401, 422) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await createBusiness(c.var.db, c.req.valid("json")), 201);
