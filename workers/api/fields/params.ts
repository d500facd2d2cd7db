import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";

export const FieldParams = z.object({
  id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
  name: IdParam("name", "durationMs"),
});
