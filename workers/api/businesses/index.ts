import { newApp } from "../openapi";
import * as create from "./create";
import * as remove from "./delete";
import * as get from "./get";
import * as list from "./list";
import * as status from "./status";
import * as summary from "./summary";
import * as update from "./update";

export const businessesApi = newApp()
  .openapi(create.route, create.handler)
  .openapi(list.route, list.handler)
  // Before `/{id}`, which would take "summary" for an id.
  .openapi(summary.route, summary.handler)
  .openapi(get.route, get.handler)
  .openapi(status.route, status.handler)
  .openapi(update.route, update.handler)
  .openapi(remove.route, remove.handler);
