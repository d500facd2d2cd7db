import { Alert } from "../../../schema/contracts/alerts";
import { manage } from "../routes";
import { AlertParams } from "./get";
import { changeAlert } from "./service";

export default manage
  .Alerts(
    "post",
    "/{id}/forget",
    "Forget this key: resolve the alert and stop watching its group key",
  )
  .describe(
    "For a retired device or route: the alert resolves and the key's live state is dropped, so an absence rule does not open a new alert for it (even if it is in `expect`) until it reports again.",
  )
  .input({ params: AlertParams })
  .json(200, Alert, "The alert after the change")
  .answer(({ param }, c) => changeAlert(c.env, c.var.db, param.id, "forget"));
