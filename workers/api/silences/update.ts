import { createRoute } from "@hono/zod-openapi";
import { Silence, SilencePatch } from "../../../schema/contracts/silences";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { SilenceParams } from "./params";
import { updateSilence } from "./service";

export const route = createRoute({
  method: "patch",
  path: "/{id}/silences/{silenceId}",
  tags: ["Silences"],
  summary: "Change a silence (matchers, times, schedule, comment)",
  security: adminSecurity,
  request: { params: SilenceParams, body: jsonBody(SilencePatch) },
  responses: { 200: jsonResponse(Silence, "The changed silence"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, silenceId } = c.req.valid("param");
  return c.json(await updateSilence(c.env, c.var.db, id, silenceId, c.req.valid("json")), 200);
};
