import { MemberCreate, MemberInvited } from "../../../schema/contracts/teams";
import { inviteMember } from "../../definitions/members";
import { actorOf } from "../../definitions/principal";
import { sendInvitation } from "../../notify/invitation";
import { workspaceContext } from "../auth/scope";
import { members } from "./params";

export default members
  .create(
    "Invite a person by email with a role (a one-time link, emailed)",
    MemberCreate,
    MemberInvited,
    "The invited member",
  )
  .problems(403, 409)
  .answer(async ({ json }, c) => {
    const { workspaceId, role } = workspaceContext(c);
    const by = actorOf(c.var.principal).name;
    const { member, token, workspaceName } = await inviteMember(c.var.db, workspaceId, json, role);
    const inviteUrl = `${c.env.UI_URL.replace(/\/$/, "")}/invite/${token}`;
    const emailed = await sendInvitation(c.env, {
      to: member.email,
      workspaceName,
      role: member.role,
      invitedBy: by,
      link: inviteUrl,
    });
    return { ...member, inviteUrl, emailed };
  });
