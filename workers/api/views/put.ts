import { View, ViewInput } from "../../../schema/contracts/views";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { putView } from "./service";

export default manage
  .Views(
    "put",
    "/{id}/view",
    "Save the business's dashboard configuration: which fields and functions to chart",
  )
  .input({ params: BusinessParams, body: ViewInput })
  .json(200, View, "The saved view")
  .answer(async ({ param, json }, c) =>
    putView(c.var.db, await getBusiness(c.var.db, param.id), json),
  );
