import { createRoute } from "@hono/zod-openapi";
import { View } from "../../../schema/contracts/views";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { getView } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/view",
  tags: ["Views"],
  summary: "The business's dashboard configuration (a default one until saved)",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: { 200: jsonResponse(View, "The view"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await getView(c.var.db, await getBusiness(c.var.db, c.req.valid("param").id)), 200);
