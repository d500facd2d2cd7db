import { Rule } from "../../../schema/contracts/rules";
import { manage } from "../routes";
import { RuleParams } from "./params";
import { getRule, withStatusOf } from "./service";

export default manage
  .Rules("get", "/{id}/rules/{ruleId}", "Get a rule")
  .input({ params: RuleParams })
  .json(200, Rule, "The rule")
  .answer(async ({ param }, c) =>
    withStatusOf(c.env, await getRule(c.var.db, param.id, param.ruleId)),
  );
