import { View } from "../../../schema/contracts/views";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { getView } from "./service";

export default manage
  .Views("get", "/{id}/view", "The business's dashboard configuration (a default one until saved)")
  .input({ params: BusinessParams })
  .json(200, View, "The view")
  .answer(async ({ param }, c) => getView(c.var.db, await getBusiness(c.var.db, param.id)));
