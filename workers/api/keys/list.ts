import { z } from "@hono/zod-openapi";
import { ApiKey } from "../../../schema/contracts/teams";
import { listKeys } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { WorkspaceParams } from "../workspaces/params";

export default manage
  .Teams("get", "/{id}/keys", "The workspace's API keys (never their tokens), newest first")
  .input({ params: WorkspaceParams })
  .json(
    200,
    z.object({ items: z.array(ApiKey), nextCursor: z.string().nullable() }).openapi("ApiKeyList"),
    "Keys",
  )
  .problems(403)
  .answer(async (_, c) => onePage(await listKeys(c.var.db, workspaceContext(c).workspaceId)));
