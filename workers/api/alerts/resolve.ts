import { createRoute } from "@hono/zod-openapi";
import { Alert } from "../../../schema/contracts/alerts";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { AlertParams } from "./get";
import { changeAlert } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/resolve",
  tags: ["Alerts"],
  summary: "Resolve an alert by hand",
  security: adminSecurity,
  request: { params: AlertParams },
  responses: { 200: jsonResponse(Alert, "The alert after the change"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await changeAlert(c.env, c.var.db, c.req.valid("param").id, "resolve"), 200);
