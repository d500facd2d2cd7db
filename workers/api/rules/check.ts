import { createRoute, z } from "@hono/zod-openapi";
import { RuleCreate } from "../../../schema/contracts/rules";
import { compileRule } from "../../business/engine/compile";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/{id}/rules/check",
  tags: ["Rules"],
  summary: "Check a rule body without saving it",
  description:
    "The same validation as creating the rule (expressions type-checked against the fields, windows, schedules), for editors that check as the user types. `200 {ok: true}` or `422` naming the key.",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(RuleCreate) },
  responses: {
    200: jsonResponse(z.object({ ok: z.literal(true) }), "The rule is valid"),
    ...problems(400, 401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  compileRule(c.req.valid("json"), business);
  return c.json({ ok: true as const }, 200);
};
