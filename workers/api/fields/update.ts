import { Business, FieldPatch } from "../../../schema/contracts/businesses";
import { manage } from "../routes";
import { FieldParams } from "./params";
import { updateField } from "./service";

export default manage
  .Fields("patch", "/{id}/fields/{name}", "Change a field")
  .input({ params: FieldParams, body: FieldPatch })
  .json(200, Business, "The business with the changed field")
  .answer(({ param, json }, c) => updateField(c.env, c.var.db, param.id, param.name, json));
