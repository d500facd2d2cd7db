import { createRoute } from "@hono/zod-openapi";
import { SuggestionList, SuggestionQuery } from "../../../schema/contracts/suggestions";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listSuggestions } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/suggestions",
  tags: ["Suggestions"],
  summary: "List the business's suggestions",
  security: adminSecurity,
  request: { params: BusinessParams, query: SuggestionQuery },
  responses: {
    200: jsonResponse(SuggestionList, "Suggestions, oldest first, and the last run"),
    ...problems(401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(
    await listSuggestions(c.var.db, c.req.valid("param").id, c.req.valid("query").status),
    200,
  );
