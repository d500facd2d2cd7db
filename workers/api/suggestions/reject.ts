import { createRoute } from "@hono/zod-openapi";
import { Suggestion } from "../../../schema/contracts/suggestions";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { SuggestionParams } from "./approve";
import { rejectSuggestion } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/reject",
  tags: ["Suggestions"],
  summary: "Reject a suggestion; the same idea is not suggested again",
  security: adminSecurity,
  request: { params: SuggestionParams },
  responses: {
    200: jsonResponse(Suggestion, "The rejected suggestion"),
    ...problems(401, 404, 409),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await rejectSuggestion(c.var.db, c.req.valid("param").id), 200);
