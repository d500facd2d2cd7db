import { createRoute } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { FieldParams } from "./params";
import { deleteField } from "./service";

export const route = createRoute({
  method: "delete",
  path: "/{id}/fields/{name}",
  tags: ["Fields"],
  summary: "Remove a field",
  security: adminSecurity,
  request: { params: FieldParams },
  responses: {
    200: jsonResponse(Business, "The business without the field"),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, name } = c.req.valid("param");
  return c.json(await deleteField(c.env, c.var.db, id, name), 200);
};
