import { createRoute } from "@hono/zod-openapi";
import { Alert, AlertsQuery } from "../../../schema/contracts/alerts";
import { listOf } from "../../../schema/contracts/common";
import { listScope } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listAlerts } from "./service";

export const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Alerts"],
  summary: "Alerts across businesses, newest first",
  security: adminSecurity,
  request: { query: AlertsQuery },
  responses: {
    200: jsonResponse(listOf(Alert, "AlertList"), "A page of alerts"),
    ...problems(401, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const query = c.req.valid("query");
  return c.json(await listAlerts(c.var.db, query, listScope(c, query.workspaceId)), 200);
};
