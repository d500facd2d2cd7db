import { createRoute } from "@hono/zod-openapi";
import { Alert } from "../../../schema/contracts/alerts";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { AlertParams } from "./get";
import { changeAlert } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/forget",
  tags: ["Alerts"],
  summary: "Forget this key: resolve the alert and stop watching its group key",
  description:
    "For a retired device or route: the alert resolves and the key's live state is dropped, so an absence rule does not open a new alert for it (even if it is in `expect`) until it reports again.",
  security: adminSecurity,
  request: { params: AlertParams },
  responses: { 200: jsonResponse(Alert, "The alert after the change"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await changeAlert(c.env, c.var.db, c.req.valid("param").id, "forget"), 200);
