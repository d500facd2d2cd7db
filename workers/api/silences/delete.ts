import { createRoute } from "@hono/zod-openapi";
import { removeSilence } from "../../definitions/silences";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";
import { SilenceParams } from "./params";

export const route = createRoute({
  method: "delete",
  path: "/{id}/silences/{silenceId}",
  tags: ["Silences"],
  summary: "Remove a silence (alerts it held back and still open are notified now)",
  security: adminSecurity,
  request: { params: SilenceParams },
  responses: { 204: { description: "Removed" }, ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, silenceId } = c.req.valid("param");
  await removeSilence(c.env, c.var.db, id, silenceId);
  return c.body(null, 204);
};
