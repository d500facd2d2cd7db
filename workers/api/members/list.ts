import { createRoute, z } from "@hono/zod-openapi";
import { Member } from "../../../schema/contracts/teams";
import { listMembers } from "../../definitions/members";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";

export const route = createRoute({
  method: "get",
  path: "/{id}/members",
  tags: ["Teams"],
  summary: "The workspace's members and pending invitations",
  security: adminSecurity,
  request: { params: WorkspaceParams },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(Member), nextCursor: z.string().nullable() }).openapi("MemberList"),
      "Members",
    ),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(
    { items: await listMembers(c.var.db, workspaceContext(c).workspaceId), nextCursor: null },
    200,
  );
