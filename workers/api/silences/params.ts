import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";

export const SilenceParams = z.object({
  id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
  silenceId: IdParam("silenceId", "sil_01jz8k3m2qabcdefghjkmnpq"),
});
