import { newApp } from "../openapi";
import * as create from "./create";
import * as list from "./list";
import * as series from "./series";

export const eventsApi = newApp()
  .openapi(list.route, list.handler)
  .openapi(create.route, create.handler)
  .openapi(series.route, series.handler);
