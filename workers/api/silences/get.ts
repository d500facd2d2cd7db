import { silences } from "./params";
import { getSilence } from "./service";

export default silences
  .get("Get a silence")
  .answer(({ param }, c) => getSilence(c.var.db, param.id, param.silenceId));
