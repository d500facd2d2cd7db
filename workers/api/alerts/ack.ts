import { Alert } from "../../../schema/contracts/alerts";
import { manage } from "../routes";
import { AlertParams } from "./get";
import { changeAlert } from "./service";

export default manage
  .Alerts("post", "/{id}/ack", "Acknowledge an open alert")
  .input({ params: AlertParams })
  .json(200, Alert, "The alert after the change")
  .problems(409)
  .answer(({ param }, c) => changeAlert(c.env, c.var.db, param.id, "ack"));
