import { Silence, SilenceCreate } from "../../../schema/contracts/silences";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { createSilence } from "./service";

export default manage
  .Silences(
    "post",
    "/{id}/silences",
    "Silence alerts: once (startsAt to endsAt) or on a recurring schedule",
  )
  .describe(
    "Matched alerts still open and resolve, with `silenced: true`, but notify nobody while the silence lasts; those still open when it ends are notified then. A `schedule` repeats in the business's time zone.",
  )
  .input({ params: BusinessParams, body: SilenceCreate })
  .json(201, Silence, "The silence")
  .answer(({ param, json }, c) => createSilence(c.env, c.var.db, param.id, json));
