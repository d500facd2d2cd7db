import { removeRule } from "../../definitions/rules";
import { manage } from "../openapi";
import { RuleParams } from "./params";

export default manage
  .Rules("delete", "/{id}/rules/{ruleId}", "Delete a rule; its open alerts are resolved")
  .input({ params: RuleParams })
  .empty(204, "Deleted")
  .handle(async (c) => {
    const { id, ruleId } = c.req.valid("param");
    await removeRule(c.env, c.var.db, id, ruleId);
    return c.body(null, 204);
  });
