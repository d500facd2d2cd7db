import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";

export const MemberParams = z.object({
  id: IdParam("id", "wsp_01jz8k3m2qabcdefghjkmnpq"),
  memberId: IdParam("memberId", "mem_01jz8k3m2qabcdefghjkmnpq"),
});
