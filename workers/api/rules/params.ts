import { Rule } from "../../../schema/contracts/rules";
import { BusinessParams } from "../businesses/get";
import { itemRoutes } from "../items";
import { manage } from "../routes";

/** A business's rules: `/{id}/rules` and `/{id}/rules/{ruleId}`. */
export const rules = itemRoutes(manage.Rules, {
  ...{ collection: "/{id}/rules", owner: BusinessParams, schema: Rule, name: "rule" },
  ...{ id: "ruleId", example: "rul_01jz8k3m2qabcdefghjkmnpq" },
});
export const RuleParams = rules.params;
