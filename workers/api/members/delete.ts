import { removeMember } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { MemberParams } from "./params";

export default manage
  .Teams(
    "delete",
    "/{id}/members/{memberId}",
    "Remove a member or withdraw an invitation (never the last owner)",
  )
  .input({ params: MemberParams })
  .empty(204, "Removed")
  .problems(403, 409)
  .handle(async (c) => {
    const { workspaceId, role } = workspaceContext(c);
    await removeMember(c.var.db, workspaceId, c.req.valid("param").memberId, role);
    return c.body(null, 204);
  });
