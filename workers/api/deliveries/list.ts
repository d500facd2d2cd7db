import { z } from "@hono/zod-openapi";
import { Delivery } from "../../../schema/contracts/channels";
import { Cursor, Limit, listOf } from "../../../schema/contracts/common";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { listDeliveries } from "./service";

export default manage
  .Channels("get", "/{id}/deliveries", "Every notification attempt and its outcome, newest first")
  .input({
    params: BusinessParams,
    query: z.object({
      cursor: Cursor,
      limit: Limit,
      channelId: z.string().max(64).optional(),
      alertId: z.string().max(64).optional(),
    }),
  })
  .json(200, listOf(Delivery, "DeliveryList"), "A page of attempts")
  .answer(({ param, query }, c) => listDeliveries(c.var.db, param.id, query));
