import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";

export const ChannelParams = z.object({
  id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
  channelId: IdParam("channelId", "chn_01jz8k3m2qabcdefghjkmnpq"),
});
