import { z } from "@hono/zod-openapi";
import { AlertWithHistory } from "../../../schema/contracts/alerts";
import { IdParam } from "../../../schema/contracts/common";
import { manage } from "../routes";
import { getAlert } from "./service";

export const AlertParams = z.object({ id: IdParam("id", "alt_01jz8k3m2qabcdefghjkmnpq") });

export default manage
  .Alerts("get", "/{id}", "An alert with its history of transitions")
  .input({ params: AlertParams })
  .json(200, AlertWithHistory, "The alert")
  .answer(({ param }, c) => getAlert(c.var.db, param.id));
