import { Alert, AlertsQuery } from "../../../schema/contracts/alerts";
import { listOf } from "../../../schema/contracts/common";
import { listScope } from "../auth/scope";
import { manage } from "../routes";
import { listAlerts } from "./service";

export default manage
  .Alerts("get", "/", "Alerts across businesses, newest first")
  .input({ query: AlertsQuery })
  .json(200, listOf(Alert, "AlertList"), "A page of alerts")
  .answer(({ query }, c) => listAlerts(c.var.db, query, listScope(c, query.workspaceId)));
