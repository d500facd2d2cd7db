import { createRoute } from "@hono/zod-openapi";
import { SuggestionList, SuggestionQuery } from "../../../schema/contracts/suggestions";
import { getBusiness } from "../../definitions/businesses";
import { listSuggestions } from "../../definitions/suggestions";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

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

export const handler: Handler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  await getBusiness(c.var.db, id);
  return c.json(await listSuggestions(c.var.db, id, c.req.valid("query").status), 200);
};
