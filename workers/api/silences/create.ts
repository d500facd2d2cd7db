import { createRoute } from "@hono/zod-openapi";
import { Silence, SilenceCreate } from "../../../schema/contracts/silences";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { createSilence } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/silences",
  tags: ["Silences"],
  summary: "Silence alerts: once (startsAt to endsAt) or on a recurring schedule",
  description:
    "Matched alerts still open and resolve, with `silenced: true`, but notify nobody while the silence lasts; those still open when it ends are notified then. A `schedule` repeats in the business's time zone.",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(SilenceCreate) },
  responses: { 201: jsonResponse(Silence, "The silence"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await createSilence(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")), 201);
