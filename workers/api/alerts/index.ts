import { newApp } from "../openapi";
import * as ack from "./ack";
import * as forget from "./forget";
import * as get from "./get";
import * as list from "./list";
import * as resolve from "./resolve";
import * as snooze from "./snooze";

export const alertsApi = newApp()
  .openapi(list.route, list.handler)
  .openapi(get.route, get.handler)
  .openapi(ack.route, ack.handler)
  .openapi(resolve.route, resolve.handler)
  .openapi(snooze.route, snooze.handler)
  .openapi(forget.route, forget.handler);
