import { ApiKeyCreated, KeyCreate } from "../../../schema/contracts/teams";
import { createKey } from "../../definitions/keys";
import { actorOf } from "../../definitions/principal";
import { workspaceContext } from "../auth/scope";
import { keys } from "./params";

export default keys
  .create(
    "Create an API key with a role (its token is shown only once)",
    KeyCreate,
    ApiKeyCreated,
    "The key with its token",
  )
  .problems(403)
  .answer(({ json }, c) =>
    createKey(c.var.db, workspaceContext(c).workspaceId, json, actorOf(c.var.principal).name),
  );
