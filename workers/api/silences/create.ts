import { Silence, SilenceCreate } from "../../../schema/contracts/silences";
import { silences } from "./params";
import { createSilence } from "./service";

export default silences
  .create(
    "Silence alerts: once (startsAt to endsAt) or on a recurring schedule",
    SilenceCreate,
    Silence,
  )
  .describe(
    "Matched alerts still open and resolve, with `silenced: true`, but notify nobody while the silence lasts; those still open when it ends are notified then. A `schedule` repeats in the business's time zone.",
  )
  .answer(({ param, json }, c) => createSilence(c.env, c.var.db, param.id, json));
