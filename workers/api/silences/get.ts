import { Silence } from "../../../schema/contracts/silences";
import { manage } from "../routes";
import { SilenceParams } from "./params";
import { getSilence } from "./service";

export default manage
  .Silences("get", "/{id}/silences/{silenceId}", "Get a silence")
  .input({ params: SilenceParams })
  .json(200, Silence, "The silence")
  .answer(({ param }, c) => getSilence(c.var.db, param.id, param.silenceId));
