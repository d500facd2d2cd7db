import { MemberCreate, MemberInvited } from "../../../schema/contracts/teams";
import { inviteMember } from "../../definitions/members";
import { actorOf } from "../../definitions/principal";
import { sendInvitation } from "../../notify/invitation";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

export default manage
  .Teams("post", "/{id}/members", "Invite a person by email with a role (a one-time link, emailed)")
  .input({ params: WorkspaceParams, body: MemberCreate })
  .json(201, MemberInvited, "The invited member")
  .problems(403, 409)
  .handle(async (c) => {
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
  });
