import { Business } from "../../../schema/contracts/businesses";
import { manage } from "../routes";
import { FieldParams } from "./params";
import { deleteField } from "./service";

export default manage
  .Fields("delete", "/{id}/fields/{name}", "Remove a field")
  .input({ params: FieldParams })
  .json(200, Business, "The business without the field")
  .answer(({ param }, c) => deleteField(c.env, c.var.db, param.id, param.name));
