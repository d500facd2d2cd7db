import { createRoute } from "@hono/zod-openapi";
import { MemberCreate, MemberInvited } from "../../../schema/contracts/teams";
import { inviteMember } from "../../definitions/members";
import { actorOf } from "../../definitions/principal";
import { sendInvitation } from "../../notify/invitation";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";

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
  const input = c.req.valid("json");
  const { member, token, workspaceName } = await inviteMember(c.var.db, workspaceId, input, role);
  const inviteUrl = `${c.env.UI_URL.replace(/\/$/, "")}/invite/${token}`;
  const emailed = await sendInvitation(c.env, {
    to: member.email,
    workspaceName,
    role: member.role,
    invitedBy: by,
    link: inviteUrl,
  });
  return c.json({ ...member, inviteUrl, emailed }, 201);
};
