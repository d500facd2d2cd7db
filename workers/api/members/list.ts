import { listMembers } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { onePage } from "../openapi";
import { members } from "./params";

export default members
  .list("The workspace's members and pending invitations", "MemberList")
  .answer(async (_, c) => onePage(await listMembers(c.var.db, workspaceContext(c).workspaceId)));
