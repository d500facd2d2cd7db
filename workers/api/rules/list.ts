import { getBusiness } from "../../definitions/businesses";
import { listRules } from "../../definitions/rules";
import { onePage } from "../openapi";
import { rules } from "./params";
import { withStatus } from "./service";

export default rules.list("List a business's rules", "RuleList").answer(async ({ param }, c) => {
  const business = await getBusiness(c.var.db, param.id);
  return onePage(await withStatus(c.env, business.id, await listRules(c.var.db, business.id)));
});
