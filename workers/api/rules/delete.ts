import { removeRule } from "../../definitions/rules";
import { rules } from "./params";

export default rules
  .remove("Delete a rule; its open alerts are resolved", "Deleted")
  .answer(({ param }, c) => removeRule(c.env, c.var.db, param.id, param.ruleId));
