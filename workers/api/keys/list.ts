import { listKeys } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import { onePage } from "../openapi";
import { keys } from "./params";

export default keys
  .list("The workspace's API keys (never their tokens), newest first", "ApiKeyList")
  .problems(403)
  .answer(async (_, c) => onePage(await listKeys(c.var.db, workspaceContext(c).workspaceId)));
