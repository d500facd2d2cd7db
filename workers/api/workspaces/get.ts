import { Workspace } from "../../../schema/contracts/teams";
import { getWorkspace } from "../../definitions/workspaces";
import { manage } from "../routes";
import { WorkspaceParams } from "./params";

export default manage
  .Teams("get", "/{id}", "A workspace")
  .input({ params: WorkspaceParams })
  .json(200, Workspace, "The workspace")
  .answer(({ param }, c) => getWorkspace(c.var.db, param.id, c.var.principal));
