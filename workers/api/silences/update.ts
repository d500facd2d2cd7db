import { SilencePatch } from "../../../schema/contracts/silences";
import { silences } from "./params";
import { updateSilence } from "./service";

export default silences
  .update("Change a silence (matchers, times, schedule, comment)", SilencePatch)
  .answer(({ param, json }, c) => updateSilence(c.env, c.var.db, param.id, param.silenceId, json));
