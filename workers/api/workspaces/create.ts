import { Workspace, WorkspaceCreate } from "../../../schema/contracts/teams";
import { createWorkspace } from "../../definitions/workspaces";
import { manage } from "../routes";

export default manage
  .Teams("post", "/", "Create a workspace (a person who creates one is its owner)")
  .input({ body: WorkspaceCreate })
  .json(201, Workspace, "The workspace")
  .problems(403)
  .answer(({ json }, c) => createWorkspace(c.var.db, json.name, c.var.principal));
