import { createRoute } from "@hono/zod-openapi";
import { Rule, RulePatch } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { RuleParams } from "./params";
import { updateRule, withStatus } from "./service";

export const route = createRoute({
  method: "patch",
  path: "/{id}/rules/{ruleId}",
  tags: ["Rules"],
  summary: "Change a rule (its kind stays); live state that still applies is kept",
  security: adminSecurity,
  request: { params: RuleParams, body: jsonBody(RulePatch) },
  responses: { 200: jsonResponse(Rule, "The changed rule"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, ruleId } = c.req.valid("param");
  const business = await getBusiness(c.var.db, id);
  const rule = await updateRule(c.env, c.var.db, business, ruleId, c.req.valid("json"));
  const [shown = rule] = await withStatus(c.env, business.id, [rule]);
  return c.json(shown, 200);
};
