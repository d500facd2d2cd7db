import { createRoute } from "@hono/zod-openapi";
import { listOf } from "../../../schema/contracts/common";
import { AuditEntry, AuditQuery } from "../../../schema/contracts/teams";
import { listAudit } from "../../definitions/audit";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";

export const route = createRoute({
  method: "get",
  path: "/{id}/audit",
  tags: ["Teams"],
  summary: "Who changed what: the workspace's audit log, newest first",
  security: adminSecurity,
  request: { params: WorkspaceParams, query: AuditQuery },
  responses: {
    200: jsonResponse(listOf(AuditEntry, "AuditList"), "A page of audit entries"),
    ...problems(401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await listAudit(c.var.db, workspaceContext(c).workspaceId, c.req.valid("query")), 200);
