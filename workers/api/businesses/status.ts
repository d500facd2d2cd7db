import { createRoute } from "@hono/zod-openapi";
import { BusinessStatus } from "../../../schema/contracts/businesses";
import { getBusiness } from "../../definitions/businesses";
import { statusAll } from "../../definitions/shard-reads";
import { iso } from "../../lib/time";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { BusinessParams } from "./get";

export const route = createRoute({
  method: "get",
  path: "/{id}/status",
  tags: ["Businesses"],
  summary: "How the business's background work stands",
  description:
    "Jobs of the business's object (copying alerts to the index, handing notifications to the Queue, archiving to R2…) that failed their last run and retry with a growing delay.",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: { 200: jsonResponse(BusinessStatus, "The business's status"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  const { failing, storage } = await statusAll(c.env, business);
  return c.json(
    { failingJobs: failing.map((j) => ({ ...j, retryAt: iso(j.retryAt) })), storage },
    200,
  );
};
