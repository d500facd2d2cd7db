import { createRoute } from "@hono/zod-openapi";
import { Workspace } from "../../../schema/contracts/teams";
import { getWorkspace } from "../../definitions/workspaces";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "./params";

export const route = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Teams"],
  summary: "A workspace",
  security: adminSecurity,
  request: { params: WorkspaceParams },
  responses: { 200: jsonResponse(Workspace, "The workspace"), ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await getWorkspace(c.var.db, c.req.valid("param").id, c.var.principal), 200);
