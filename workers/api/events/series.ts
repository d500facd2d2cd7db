import { Series, SeriesQuery } from "../../../schema/contracts/events";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { getSeries } from "./service";

export default manage
  .Events("get", "/{id}/series", "Time buckets of a field for charts (count, sum, avg, min, max)")
  .input({ params: BusinessParams, query: SeriesQuery })
  .json(200, Series, "Buckets in time order")
  .handle(async (c) => {
    const business = await getBusiness(c.var.db, c.req.valid("param").id);
    return c.json(await getSeries(c.env, business, c.req.valid("query")), 200);
  });
