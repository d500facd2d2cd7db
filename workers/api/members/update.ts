import { createRoute } from "@hono/zod-openapi";
import { Member, MemberPatch } from "../../../schema/contracts/teams";
import { changeRole } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { MemberParams } from "./params";

export const route = createRoute({
  method: "patch",
  path: "/{id}/members/{memberId}",
  tags: ["Teams"],
  summary: "Change a member's role (the last owner stays owner)",
  security: adminSecurity,
  request: { params: MemberParams, body: jsonBody(MemberPatch) },
  responses: {
    200: jsonResponse(Member, "The member"),
    ...problems(400, 401, 403, 404, 409, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { workspaceId, role } = workspaceContext(c);
  const { memberId } = c.req.valid("param");
  return c.json(
    await changeRole(c.var.db, workspaceId, memberId, c.req.valid("json").role, role),
    200,
  );
};
