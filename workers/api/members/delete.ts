import { createRoute } from "@hono/zod-openapi";
import { removeMember } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";
import { MemberParams } from "./params";

export const route = createRoute({
  method: "delete",
  path: "/{id}/members/{memberId}",
  tags: ["Teams"],
  summary: "Remove a member or withdraw an invitation (never the last owner)",
  security: adminSecurity,
  request: { params: MemberParams },
  responses: { 204: { description: "Removed" }, ...problems(401, 403, 404, 409) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { workspaceId, role } = workspaceContext(c);
  await removeMember(c.var.db, workspaceId, c.req.valid("param").memberId, role);
  return c.body(null, 204);
};
