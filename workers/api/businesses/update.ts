import { createRoute } from "@hono/zod-openapi";
import { Business, BusinessPatch } from "../../../schema/contracts/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { BusinessParams } from "./get";
import { updateBusiness } from "./service";

export const route = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["Businesses"],
  summary: "Change a business",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(BusinessPatch) },
  responses: {
    200: jsonResponse(Business, "The changed business"),
    ...problems(400, 401, 404, 409, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await updateBusiness(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")), 200);
