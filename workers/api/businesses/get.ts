import { z } from "@hono/zod-openapi";
import { Business } from "../../../schema/contracts/businesses";
import { IdParam } from "../../../schema/contracts/common";
import { getBusiness } from "../../definitions/businesses";
import { manage } from "../routes";

export const BusinessParams = z.object({ id: IdParam("id", "bus_01jz8k3m2qabcdefghjkmnpq") });

export default manage
  .Businesses("get", "/{id}", "Get a business")
  .input({ params: BusinessParams })
  .json(200, Business, "The business")
  .answer(({ param }, c) => getBusiness(c.var.db, param.id));
