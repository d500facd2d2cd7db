import { createRoute } from "@hono/zod-openapi";
import { Rule } from "../../../schema/contracts/rules";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { RuleParams } from "./params";
import { getRule, withStatus } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/rules/{ruleId}",
  tags: ["Rules"],
  summary: "Get a rule",
  security: adminSecurity,
  request: { params: RuleParams },
  responses: { 200: jsonResponse(Rule, "The rule"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, ruleId } = c.req.valid("param");
  const rule = await getRule(c.var.db, id, ruleId);
  const [shown = rule] = await withStatus(c.env, id, [rule]);
  return c.json(shown, 200);
};
