import { Business, FieldPatch } from "../../../schema/contracts/businesses";
import { manage } from "../openapi";
import { FieldParams } from "./params";
import { updateField } from "./service";

export default manage
  .Fields("patch", "/{id}/fields/{name}", "Change a field")
  .input({ params: FieldParams, body: FieldPatch })
  .json(200, Business, "The business with the changed field")
  .handle(async (c) => {
    const { id, name } = c.req.valid("param");
    return c.json(await updateField(c.env, c.var.db, id, name, c.req.valid("json")), 200);
  });
