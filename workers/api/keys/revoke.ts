import { revokeKey } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import { keys } from "./params";

export default keys
  .remove("Revoke an API key: its next request is refused", "Revoked")
  .problems(403)
  .answer(({ param }, c) => revokeKey(c.var.db, workspaceContext(c).workspaceId, param.keyId));
