import { createRoute } from "@hono/zod-openapi";
import { Workspace, WorkspaceCreate } from "../../../schema/contracts/teams";
import { createWorkspace } from "../../definitions/workspaces";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Teams"],
  summary: "Create a workspace (a person who creates one is its owner)",
  security: adminSecurity,
  request: { body: jsonBody(WorkspaceCreate) },
  responses: { 201: jsonResponse(Workspace, "The workspace"), ...problems(400, 401, 403, 422) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await createWorkspace(c.var.db, c.req.valid("json").name, c.var.principal), 201);
