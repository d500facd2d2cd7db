import { Business, BusinessPatch } from "../../../schema/contracts/businesses";
import { manage } from "../routes";
import { BusinessParams } from "./get";
import { updateBusiness } from "./service";

export default manage
  .Businesses("patch", "/{id}", "Change a business")
  .input({ params: BusinessParams, body: BusinessPatch })
  .json(200, Business, "The changed business")
  .problems(409)
  .answer(({ param, json }, c) => updateBusiness(c.env, c.var.db, param.id, json));
