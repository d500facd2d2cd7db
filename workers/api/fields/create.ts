import { Business, FieldInput } from "../../../schema/contracts/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { addField } from "./service";

export default manage
  .Fields("post", "/{id}/fields", "Add a field to a business")
  .input({ params: BusinessParams, body: FieldInput })
  .json(201, Business, "The business with the new field")
  .problems(409)
  .answer(({ param, json }, c) => addField(c.env, c.var.db, param.id, json));
