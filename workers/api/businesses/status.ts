import { BusinessStatus } from "../../../schema/contracts/businesses";
import { getBusiness } from "../../definitions/businesses";
import { statusAll } from "../../definitions/shard-reads";
import { iso } from "../../lib/time";
import { manage } from "../routes";
import { BusinessParams } from "./get";

export default manage
  .Businesses("get", "/{id}/status", "How the business's background work stands")
  .describe(
    "Jobs of the business's object (copying alerts to the index, handing notifications to the Queue, archiving to R2…) that failed their last run and retry with a growing delay.",
  )
  .input({ params: BusinessParams })
  .json(200, BusinessStatus, "The business's status")
  .handle(async (c) => {
    const business = await getBusiness(c.var.db, c.req.valid("param").id);
    const { failing, storage } = await statusAll(c.env, business);
    return c.json(
      { failingJobs: failing.map((j) => ({ ...j, retryAt: iso(j.retryAt) })), storage },
      200,
    );
  });
