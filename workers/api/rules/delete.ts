import { removeRule } from "../../definitions/rules";
import { manage } from "../routes";
import { RuleParams } from "./params";

export default manage
  .Rules("delete", "/{id}/rules/{ruleId}", "Delete a rule; its open alerts are resolved")
  .input({ params: RuleParams })
  .empty(204, "Deleted")
  .answer(({ param }, c) => removeRule(c.env, c.var.db, param.id, param.ruleId));
