import { createRoute } from "@hono/zod-openapi";
import { Series, SeriesQuery } from "../../../schema/contracts/events";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { getSeries } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/series",
  tags: ["Events"],
  summary: "Time buckets of a field for charts (count, sum, avg, min, max)",
  security: adminSecurity,
  request: { params: BusinessParams, query: SeriesQuery },
  responses: { 200: jsonResponse(Series, "Buckets in time order"), ...problems(401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  return c.json(await getSeries(c.env, business, c.req.valid("query")), 200);
};
