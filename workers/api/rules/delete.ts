import { createRoute } from "@hono/zod-openapi";
import { removeRule } from "../../definitions/rules";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";
import { RuleParams } from "./params";

export const route = createRoute({
  method: "delete",
  path: "/{id}/rules/{ruleId}",
  tags: ["Rules"],
  summary: "Delete a rule; its open alerts are resolved",
  security: adminSecurity,
  request: { params: RuleParams },
  responses: { 204: { description: "Deleted" }, ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, ruleId } = c.req.valid("param");
  await removeRule(c.env, c.var.db, id, ruleId);
  return c.body(null, 204);
};
