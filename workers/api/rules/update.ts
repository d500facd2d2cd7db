import { Rule, RulePatch } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { manage } from "../routes";
import { RuleParams } from "./params";
import { updateRule, withStatusOf } from "./service";

export default manage
  .Rules(
    "patch",
    "/{id}/rules/{ruleId}",
    "Change a rule (its kind stays); live state that still applies is kept",
  )
  .input({ params: RuleParams, body: RulePatch })
  .json(200, Rule, "The changed rule")
  .answer(async ({ param, json }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return withStatusOf(c.env, await updateRule(c.env, c.var.db, business, param.ruleId, json));
  });
