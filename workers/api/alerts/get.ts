import { createRoute, z } from "@hono/zod-openapi";
import { AlertWithHistory } from "../../../schema/contracts/alerts";
import { IdParam } from "../../../schema/contracts/common";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { getAlert } from "./service";

export const AlertParams = z.object({ id: IdParam("id", "alt_01jz8k3m2qabcdefghjkmnpq") });

export const route = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Alerts"],
  summary: "An alert with its history of transitions",
  security: adminSecurity,
  request: { params: AlertParams },
  responses: { 200: jsonResponse(AlertWithHistory, "The alert"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await getAlert(c.var.db, c.req.valid("param").id), 200);
