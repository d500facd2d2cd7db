import { Silence } from "../../../schema/contracts/silences";
import { manage } from "../openapi";
import { SilenceParams } from "./params";
import { getSilence } from "./service";

export default manage
  .Silences("get", "/{id}/silences/{silenceId}", "Get a silence")
  .input({ params: SilenceParams })
  .json(200, Silence, "The silence")
  .handle(async (c) => {
    const { id, silenceId } = c.req.valid("param");
    return c.json(await getSilence(c.var.db, id, silenceId), 200);
  });
