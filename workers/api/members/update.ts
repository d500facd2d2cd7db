import { MemberPatch } from "../../../schema/contracts/teams";
import { changeRole } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { members } from "./params";

export default members
  .update("Change a member's role (the last owner stays owner)", MemberPatch)
  .problems(403, 409)
  .answer(({ param, json }, c) => {
    const { workspaceId, role } = workspaceContext(c);
    return changeRole(c.var.db, workspaceId, param.memberId, json.role, role);
  });
