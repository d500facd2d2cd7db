import { removeMember } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { members } from "./params";

export default members
  .remove("Remove a member or withdraw an invitation (never the last owner)")
  .problems(403, 409)
  .answer(({ param }, c) => {
    const { workspaceId, role } = workspaceContext(c);
    return removeMember(c.var.db, workspaceId, param.memberId, role);
  });
