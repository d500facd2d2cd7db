import { onePage } from "../openapi";
import { silences } from "./params";
import { listSilences } from "./service";

export default silences
  .list(
    "List a business's silences, with whether each is active and its next occurrences",
    "SilenceList",
  )
  .answer(async ({ param }, c) => onePage(await listSilences(c.var.db, param.id)));
