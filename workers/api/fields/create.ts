import { createRoute } from "@hono/zod-openapi";
import { Business, FieldInput } from "../../../schema/contracts/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { addField } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/fields",
  tags: ["Fields"],
  summary: "Add a field to a business",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(FieldInput) },
  responses: {
    201: jsonResponse(Business, "The business with the new field"),
    ...problems(400, 401, 404, 409, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await addField(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")), 201);
