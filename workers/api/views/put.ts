import { createRoute } from "@hono/zod-openapi";
import { View, ViewInput } from "../../../schema/contracts/views";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { putView } from "./service";

export const route = createRoute({
  method: "put",
  path: "/{id}/view",
  tags: ["Views"],
  summary: "Save the business's dashboard configuration: which fields and functions to chart",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(ViewInput) },
  responses: { 200: jsonResponse(View, "The saved view"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  return c.json(await putView(c.var.db, business, c.req.valid("json")), 200);
};
