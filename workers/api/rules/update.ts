import { RulePatch } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { rules } from "./params";
import { updateRule, withStatusOf } from "./service";

export default rules
  .update("Change a rule (its kind stays); live state that still applies is kept", RulePatch)
  .answer(async ({ param, json }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return withStatusOf(c.env, await updateRule(c.env, c.var.db, business, param.ruleId, json));
  });
