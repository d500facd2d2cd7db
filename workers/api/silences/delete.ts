import { removeSilence } from "../../definitions/silences";
import { manage } from "../routes";
import { SilenceParams } from "./params";

export default manage
  .Silences(
    "delete",
    "/{id}/silences/{silenceId}",
    "Remove a silence (alerts it held back and still open are notified now)",
  )
  .input({ params: SilenceParams })
  .empty(204, "Removed")
  .answer(({ param }, c) => removeSilence(c.env, c.var.db, param.id, param.silenceId));
