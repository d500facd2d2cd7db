import { Rule, RulePatch } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { manage } from "../openapi";
import { RuleParams } from "./params";
import { updateRule, withStatus } from "./service";

export default manage
  .Rules(
    "patch",
    "/{id}/rules/{ruleId}",
    "Change a rule (its kind stays); live state that still applies is kept",
  )
  .input({ params: RuleParams, body: RulePatch })
  .json(200, Rule, "The changed rule")
  .handle(async (c) => {
    const { id, ruleId } = c.req.valid("param");
    const business = await getBusiness(c.var.db, id);
    const rule = await updateRule(c.env, c.var.db, business, ruleId, c.req.valid("json"));
    const [shown = rule] = await withStatus(c.env, business.id, [rule]);
    return c.json(shown, 200);
  });
