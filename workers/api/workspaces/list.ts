import { createRoute, z } from "@hono/zod-openapi";
import { Workspace } from "../../../schema/contracts/teams";
import { listWorkspaces } from "../../definitions/workspaces";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Teams"],
  summary: "The workspaces the caller sees, with the caller's role in each",
  security: adminSecurity,
  responses: {
    200: jsonResponse(
      z
        .object({ items: z.array(Workspace), nextCursor: z.string().nullable() })
        .openapi("WorkspaceList"),
      "Workspaces",
    ),
    ...problems(401),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json({ items: await listWorkspaces(c.var.db, c.var.principal), nextCursor: null }, 200);
