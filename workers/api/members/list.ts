import { z } from "@hono/zod-openapi";
import { Member } from "../../../schema/contracts/teams";
import { listMembers } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

export default manage
  .Teams("get", "/{id}/members", "The workspace's members and pending invitations")
  .input({ params: WorkspaceParams })
  .json(
    200,
    z.object({ items: z.array(Member), nextCursor: z.string().nullable() }).openapi("MemberList"),
    "Members",
  )
  .answer(async (_, c) => onePage(await listMembers(c.var.db, workspaceContext(c).workspaceId)));
