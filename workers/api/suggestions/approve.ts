import { createRoute, z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { Rule } from "../../../schema/contracts/rules";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { approveSuggestion } from "./service";

export const SuggestionParams = z.object({ id: IdParam("id", "sug_01jz8k3m2qabcdefghjkmnpq") });

export const route = createRoute({
  method: "post",
  path: "/{id}/approve",
  tags: ["Suggestions"],
  summary: "Approve a suggestion: creates its rule",
  security: adminSecurity,
  request: { params: SuggestionParams },
  responses: {
    201: jsonResponse(Rule, "The rule created from the suggestion"),
    ...problems(401, 404, 409, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await approveSuggestion(c.env, c.var.db, c.req.valid("param").id), 201);
