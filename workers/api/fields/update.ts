import { createRoute } from "@hono/zod-openapi";
import { Business, FieldPatch } from "../../../schema/contracts/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { FieldParams } from "./params";
import { updateField } from "./service";

export const route = createRoute({
  method: "patch",
  path: "/{id}/fields/{name}",
  tags: ["Fields"],
  summary: "Change a field",
  security: adminSecurity,
  request: { params: FieldParams, body: jsonBody(FieldPatch) },
  responses: {
    200: jsonResponse(Business, "The business with the changed field"),
    ...problems(400, 401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, name } = c.req.valid("param");
  return c.json(await updateField(c.env, c.var.db, id, name, c.req.valid("json")), 200);
};
