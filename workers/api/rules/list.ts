import { listOf } from "../../../schema/contracts/common";
import { Rule } from "../../../schema/contracts/rules";
import { getBusiness } from "../../definitions/businesses";
import { listRules } from "../../definitions/rules";
import { BusinessParams } from "../businesses/get";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { withStatus } from "./service";

export default manage
  .Rules("get", "/{id}/rules", "List a business's rules")
  .input({ params: BusinessParams })
  .json(200, listOf(Rule, "RuleList"), "The rules")
  .answer(async ({ param }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return onePage(await withStatus(c.env, business.id, await listRules(c.var.db, business.id)));
  });
