import { deleteBusiness } from "../../definitions/businesses";
import { manage } from "../routes";
import { BusinessParams } from "./get";

export default manage
  .Businesses(
    "delete",
    "/{id}",
    "Delete a business, its definitions and its recent history (the R2 archive is kept)",
  )
  .input({ params: BusinessParams })
  .empty(204, "Deleted")
  .answer(({ param }, c) => deleteBusiness(c.env, c.var.db, param.id));
