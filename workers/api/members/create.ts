import { createRoute } from "@hono/zod-openapi";
import { MemberCreate, MemberInvited } from "../../../schema/contracts/teams";
import { actorOf } from "../auth/principal";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";
import { inviteMember } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/members",
  tags: ["Teams"],
  summary: "Invite a person by email with a role (a one-time link, emailed)",
  security: adminSecurity,
  request: { params: WorkspaceParams, body: jsonBody(MemberCreate) },
  responses: {
    201: jsonResponse(MemberInvited, "The invited member"),
    ...problems(400, 401, 403, 404, 409, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { workspaceId, role } = workspaceContext(c);
  const by = actorOf(c.var.principal).name;
  return c.json(
    await inviteMember(c.env, c.var.db, workspaceId, c.req.valid("json"), role, by),
    201,
  );
};
