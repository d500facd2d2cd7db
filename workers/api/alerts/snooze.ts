import { createRoute } from "@hono/zod-openapi";
import { AlertSnooze } from "../../../schema/contracts/alerts";
import { Silence } from "../../../schema/contracts/silences";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { AlertParams } from "./get";
import { snoozeAlert } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/snooze",
  tags: ["Alerts"],
  summary: "Snooze an alert: silence its rule and group key for a while",
  description:
    "Creates a silence matching the alert's rule and group key from now for `for`; the alert and later ones of that key notify nobody until it ends.",
  security: adminSecurity,
  request: { params: AlertParams, body: jsonBody(AlertSnooze) },
  responses: { 201: jsonResponse(Silence, "The silence"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await snoozeAlert(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")), 201);
