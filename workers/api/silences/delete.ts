import { removeSilence } from "../../definitions/silences";
import { silences } from "./params";

export default silences
  .remove("Remove a silence (alerts it held back and still open are notified now)")
  .answer(({ param }, c) => removeSilence(c.env, c.var.db, param.id, param.silenceId));
