import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { revokeKey } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";

export default manage
  .Teams("delete", "/{id}/keys/{keyId}", "Revoke an API key: its next request is refused")
  .input({
    params: z.object({
      id: IdParam("id", "wsp_01jz8k3m2qabcdefghjkmnpq"),
      keyId: IdParam("keyId", "key_01jz8k3m2qabcdefghjkmnpq"),
    }),
  })
  .empty(204, "Revoked")
  .problems(403)
  .answer(({ param }, c) => revokeKey(c.var.db, workspaceContext(c).workspaceId, param.keyId));
