import { Silence, SilencePatch } from "../../../schema/contracts/silences";
import { manage } from "../openapi";
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
  .handle(async (c) => {
    const { id, silenceId } = c.req.valid("param");
    return c.json(await updateSilence(c.env, c.var.db, id, silenceId, c.req.valid("json")), 200);
  });
