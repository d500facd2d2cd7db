import { rules } from "./params";
import { getRule, withStatusOf } from "./service";

export default rules
  .get("Get a rule")
  .answer(async ({ param }, c) =>
    withStatusOf(c.env, await getRule(c.var.db, param.id, param.ruleId)),
  );
