import { AlertSnooze } from "../../../schema/contracts/alerts";
import { Silence } from "../../../schema/contracts/silences";
import { manage } from "../routes";
import { AlertParams } from "./get";
import { snoozeAlert } from "./service";

export default manage
  .Alerts("post", "/{id}/snooze", "Snooze an alert: silence its rule and group key for a while")
  .describe(
    "Creates a silence matching the alert's rule and group key from now for `for`; the alert and later ones of that key notify nobody until it ends.",
  )
  .input({ params: AlertParams, body: AlertSnooze })
  .json(201, Silence, "The silence")
  .answer(({ param, json }, c) => snoozeAlert(c.env, c.var.db, param.id, json));
