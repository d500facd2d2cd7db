import { ApiKey } from "../../../schema/contracts/teams";
import { itemRoutes } from "../items";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

/** A workspace's API keys: `/{id}/keys` and `/{id}/keys/{keyId}`. */
export const keys = itemRoutes(manage.Teams, {
  ...{ collection: "/{id}/keys", owner: WorkspaceParams, schema: ApiKey, name: "API key" },
  ...{ id: "keyId", example: "key_01jz8k3m2qabcdefghjkmnpq" },
});
