import { createRoute } from "@hono/zod-openapi";
import { SuggestionList } from "../../../schema/contracts/suggestions";
import { runProfile } from "../../profile/run";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/{id}/suggestions/run",
  tags: ["Suggestions"],
  summary: "Run the profile engine now",
  description:
    "Learns from the business's history (up to 28 days, from its Durable Object and the R2 archive) and drafts rules: absence windows from arrival rhythms, ranges or anomaly rules for numeric fields, daily totals, failure rates. Answers the pending suggestions and the run's notes (what was not suggested and why). The same run happens daily on the Cron Trigger.",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: {
    200: jsonResponse(SuggestionList, "Pending suggestions after the run"),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await runProfile(c.env, c.var.db, c.req.valid("param").id), 200);
