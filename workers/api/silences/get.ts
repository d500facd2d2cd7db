import { createRoute } from "@hono/zod-openapi";
import { Silence } from "../../../schema/contracts/silences";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { SilenceParams } from "./params";
import { getSilence } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/silences/{silenceId}",
  tags: ["Silences"],
  summary: "Get a silence",
  security: adminSecurity,
  request: { params: SilenceParams },
  responses: { 200: jsonResponse(Silence, "The silence"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, silenceId } = c.req.valid("param");
  return c.json(await getSilence(c.var.db, id, silenceId), 200);
};
