import { createRoute, z } from "@hono/zod-openapi";
import { Delivery } from "../../../schema/contracts/channels";
import { Cursor, Limit, listOf } from "../../../schema/contracts/common";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { listDeliveries } from "./service";

export const route = createRoute({
  method: "get",
  path: "/{id}/deliveries",
  tags: ["Channels"],
  summary: "Every notification attempt and its outcome, newest first",
  security: adminSecurity,
  request: {
    params: BusinessParams,
    query: z.object({
      cursor: Cursor,
      limit: Limit,
      channelId: z.string().max(64).optional(),
      alertId: z.string().max(64).optional(),
    }),
  },
  responses: {
    200: jsonResponse(listOf(Delivery, "DeliveryList"), "A page of attempts"),
    ...problems(401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await listDeliveries(c.var.db, c.req.valid("param").id, c.req.valid("query")), 200);
