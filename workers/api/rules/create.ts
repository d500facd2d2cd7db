import { createRoute } from "@hono/zod-openapi";
import { Rule, RuleCreate } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { createRule, withStatus } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/rules",
  tags: ["Rules"],
  summary: "Create a rule (immediate, absence, aggregate or anomaly)",
  description:
    "`condition` and `where` are CEL expressions over the event's fields, type-checked when saved. `window` is a duration (`30s`, `20m`, `1h`, `7d`: sliding) or `day`, `week`, `month` in the business's time zone.",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(RuleCreate) },
  responses: { 201: jsonResponse(Rule, "The new rule"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  const rule = await createRule(c.env, c.var.db, business, c.req.valid("json"));
  const [shown = rule] = await withStatus(c.env, business.id, [rule]);
  return c.json(shown, 201);
};
