import { Business, BusinessCreate } from "../../../schema/contracts/businesses";
import { createBusiness } from "../../definitions/businesses";
import { workspaceContext } from "../auth/scope";
import { manage } from "../routes";

export default manage
  .Businesses("post", "/", "Create a business with its fields")
  .input({ body: BusinessCreate })
  .json(201, Business, "The new business")
  .problems(403, 404)
  .handle(async (c) =>
    c.json(
      await createBusiness(c.var.db, workspaceContext(c).workspaceId, c.req.valid("json")),
      201,
    ),
  );
