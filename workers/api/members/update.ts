import { Member, MemberPatch } from "../../../schema/contracts/teams";
import { changeRole } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { MemberParams } from "./params";

export default manage
  .Teams("patch", "/{id}/members/{memberId}", "Change a member's role (the last owner stays owner)")
  .input({ params: MemberParams, body: MemberPatch })
  .json(200, Member, "The member")
  .problems(403, 409)
  .handle(async (c) => {
    const { workspaceId, role } = workspaceContext(c);
    const { memberId } = c.req.valid("param");
    return c.json(
      await changeRole(c.var.db, workspaceId, memberId, c.req.valid("json").role, role),
      200,
    );
  });
