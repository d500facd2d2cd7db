import { createRoute } from "@hono/zod-openapi";
import { listOf } from "../../../schema/contracts/common";
import { Rule } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { listRules } from "../../definitions/rules";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { withStatus } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/rules",
  tags: ["Rules"],
  summary: "List a business's rules",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: { 200: jsonResponse(listOf(Rule, "RuleList"), "The rules"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  const items = await withStatus(c.env, business.id, await listRules(c.var.db, business.id));
  return c.json({ items, nextCursor: null }, 200);
};
