import { listOf } from "../../../schema/contracts/common";
import { AuditEntry, AuditQuery } from "../../../schema/contracts/teams";
import { listAudit } from "../../definitions/audit";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

export default manage
  .Teams("get", "/{id}/audit", "Who changed what: the workspace's audit log, newest first")
  .input({ params: WorkspaceParams, query: AuditQuery })
  .json(200, listOf(AuditEntry, "AuditList"), "A page of audit entries")
  .answer(({ query }, c) => listAudit(c.var.db, workspaceContext(c).workspaceId, query));
