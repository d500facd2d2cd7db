import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";

export const RuleParams = z.object({
  id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
  ruleId: IdParam("ruleId", "rul_01jz8k3m2qabcdefghjkmnpq"),
});
