import { createRoute, z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { revokeKey } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";

export const route = createRoute({
  method: "delete",
  path: "/{id}/keys/{keyId}",
  tags: ["Teams"],
  summary: "Revoke an API key: its next request is refused",
  security: adminSecurity,
  request: {
    params: z.object({
      id: IdParam("id", "wsp_01jz8k3m2qabcdefghjkmnpq"),
      keyId: IdParam("keyId", "key_01jz8k3m2qabcdefghjkmnpq"),
    }),
  },
  responses: { 204: { description: "Revoked" }, ...problems(401, 403, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  await revokeKey(c.var.db, workspaceContext(c).workspaceId, c.req.valid("param").keyId);
  return c.body(null, 204);
};
