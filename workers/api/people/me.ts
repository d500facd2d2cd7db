import { Me } from "../../../schema/contracts/teams";
import { manage } from "../routes";
import { me } from "./service";

export default manage
  .People("get", "/me", "Who is signed in, and their workspaces and roles")
  .json(200, Me, "The caller")
  .problems(403)
  .answer((_, c) => me(c.var.db, c.var.principal));
