import { createRoute } from "@hono/zod-openapi";
import { deleteBusiness } from "../../definitions/businesses";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";
import { BusinessParams } from "./get";

export const route = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["Businesses"],
  summary: "Delete a business, its definitions and its recent history (the R2 archive is kept)",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: { 204: { description: "Deleted" }, ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  await deleteBusiness(c.env, c.var.db, c.req.valid("param").id);
  return c.body(null, 204);
};
