import { z } from "@hono/zod-openapi";
import { Workspace } from "../../../schema/contracts/teams";
import { listWorkspaces } from "../../definitions/workspaces";
import { onePage } from "../openapi";
import { manage } from "../routes";

export default manage
  .Teams("get", "/", "The workspaces the caller sees, with the caller's role in each")
  .json(
    200,
    z
      .object({ items: z.array(Workspace), nextCursor: z.string().nullable() })
      .openapi("WorkspaceList"),
    "Workspaces",
  )
  .answer(async (_, c) => onePage(await listWorkspaces(c.var.db, c.var.principal)));
