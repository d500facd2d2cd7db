import { Rule } from "../../../schema/contracts/rules";
import { manage } from "../openapi";
import { RuleParams } from "./params";
import { getRule, withStatus } from "./service";

export default manage
  .Rules("get", "/{id}/rules/{ruleId}", "Get a rule")
  .input({ params: RuleParams })
  .json(200, Rule, "The rule")
  .handle(async (c) => {
    const { id, ruleId } = c.req.valid("param");
    const rule = await getRule(c.var.db, id, ruleId);
    const [shown = rule] = await withStatus(c.env, id, [rule]);
    return c.json(shown, 200);
  });
