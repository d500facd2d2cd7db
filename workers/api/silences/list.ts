import { listOf } from "../../../schema/contracts/common";
import { Silence } from "../../../schema/contracts/silences";
import { BusinessParams } from "../businesses/get";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { listSilences } from "./service";

export default manage
  .Silences(
    "get",
    "/{id}/silences",
    "List a business's silences, with whether each is active and its next occurrences",
  )
  .input({ params: BusinessParams })
  .json(200, listOf(Silence, "SilenceList"), "The silences")
  .answer(async ({ param }, c) => onePage(await listSilences(c.var.db, param.id)));
