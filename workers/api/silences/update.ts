import { Silence, SilencePatch } from "../../../schema/contracts/silences";
import { manage } from "../routes";
import { SilenceParams } from "./params";
import { updateSilence } from "./service";

export default manage
  .Silences(
    "patch",
    "/{id}/silences/{silenceId}",
    "Change a silence (matchers, times, schedule, comment)",
  )
  .input({ params: SilenceParams, body: SilencePatch })
  .json(200, Silence, "The changed silence")
  .answer(({ param, json }, c) => updateSilence(c.env, c.var.db, param.id, param.silenceId, json));
