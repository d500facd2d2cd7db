import { newApp } from "../openapi";
import * as ack from "./ack";
import * as get from "./get";
import * as list from "./list";
import * as resolve from "./resolve";

export const alertsApi = newApp()
  .openapi(list.route, list.handler)
  .openapi(get.route, get.handler)
  .openapi(ack.route, ack.handler)
  .openapi(resolve.route, resolve.handler);
