import { ApiKeyCreated, KeyCreate } from "../../../schema/contracts/teams";
import { createKey } from "../../definitions/keys";
import { actorOf } from "../../definitions/principal";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

export default manage
  .Teams("post", "/{id}/keys", "Create an API key with a role (its token is shown only once)")
  .input({ params: WorkspaceParams, body: KeyCreate })
  .json(201, ApiKeyCreated, "The key with its token")
  .problems(403)
  .handle(async (c) => {
    const { workspaceId } = workspaceContext(c);
    const by = actorOf(c.var.principal).name;
    return c.json(await createKey(c.var.db, workspaceId, c.req.valid("json"), by), 201);
  });
