import { createRoute, z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { resendDelivery } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/resend",
  tags: ["Channels"],
  summary: "Send a delivery's message again (same webhook-id)",
  security: adminSecurity,
  request: { params: z.object({ id: IdParam("id", "dlv_01jz8k3m2qabcdefghjkmnpq") }) },
  responses: {
    202: jsonResponse(z.object({ queued: z.literal(true), transitionId: z.string() }), "Queued"),
    ...problems(401, 404, 409),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await resendDelivery(c.env, c.var.db, c.req.valid("param").id), 202);
