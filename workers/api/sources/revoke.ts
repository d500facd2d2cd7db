import { createRoute, z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { revokeSource } from "../../definitions/sources";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";

export const route = createRoute({
  method: "delete",
  path: "/{id}/sources/{sourceId}",
  tags: ["Sources"],
  summary: "Revoke a source's token",
  security: adminSecurity,
  request: {
    params: z.object({
      id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq"),
      sourceId: IdParam("sourceId", "src_01jz8k3m2qabcdefghjkmnpq"),
    }),
  },
  responses: { 204: { description: "Revoked" }, ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, sourceId } = c.req.valid("param");
  await revokeSource(c.var.db, id, sourceId);
  return c.body(null, 204);
};
