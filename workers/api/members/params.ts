import { Member } from "../../../schema/contracts/teams";
import { itemRoutes } from "../items";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

/** A workspace's members: `/{id}/members` and `/{id}/members/{memberId}`. */
export const members = itemRoutes(manage.Teams, {
  ...{ collection: "/{id}/members", owner: WorkspaceParams, schema: Member, name: "member" },
  ...{ id: "memberId", example: "mem_01jz8k3m2qabcdefghjkmnpq" },
});
