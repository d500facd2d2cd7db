import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { manage } from "../routes";
import { resendDelivery } from "./service";

export default manage
  .Channels("post", "/{id}/resend", "Send a delivery's message again (same webhook-id)")
  .input({ params: z.object({ id: IdParam("id", "dlv_01jz8k3m2qabcdefghjkmnpq") }) })
  .json(202, z.object({ queued: z.literal(true), transitionId: z.string() }), "Queued")
  .problems(409)
  .answer(({ param }, c) => resendDelivery(c.env, c.var.db, param.id));
