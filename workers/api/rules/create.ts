import { Rule, RuleCreate } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { rules } from "./params";
import { createRule, withStatusOf } from "./service";

export default rules
  .create("Create a rule (immediate, absence, aggregate or anomaly)", RuleCreate, Rule)
  .describe(
    "`condition` and `where` are CEL expressions over the event's fields, type-checked when saved. `window` is a duration (`30s`, `20m`, `1h`, `7d`: sliding) or `day`, `week`, `month` in the business's time zone.",
  )
  .answer(async ({ param, json }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return withStatusOf(c.env, await createRule(c.env, c.var.db, business, json));
  });
