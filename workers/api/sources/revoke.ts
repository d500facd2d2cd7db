import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { revokeSource } from "../../definitions/sources";
import { manage } from "../routes";

export default manage
  .Sources("delete", "/{id}/sources/{sourceId}", "Revoke a source's token")
  .input({
    params: z.object({
      id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
      sourceId: IdParam("sourceId", "src_01jz8k3m2qabcdefghjkmnpq"),
    }),
  })
  .empty(204, "Revoked")
  .answer(({ param }, c) => revokeSource(c.var.db, param.id, param.sourceId));
