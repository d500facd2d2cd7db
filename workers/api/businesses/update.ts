import { Business, BusinessPatch } from "../../../schema/contracts/businesses";
import { manage } from "../openapi";
import { BusinessParams } from "./get";
import { updateBusiness } from "./service";

export default manage
  .Businesses("patch", "/{id}", "Change a business")
  .input({ params: BusinessParams, body: BusinessPatch })
  .json(200, Business, "The changed business")
  .handle(async (c) =>
    c.json(
      await updateBusiness(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
  );
