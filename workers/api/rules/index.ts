import { newApp } from "../openapi";
import * as backtest from "./backtest";
import * as band from "./band";
import * as check from "./check";
import * as create from "./create";
import * as remove from "./delete";
import * as get from "./get";
import * as list from "./list";
import * as update from "./update";

export const rulesApi = newApp()
  .openapi(create.route, create.handler)
  .openapi(check.route, check.handler)
  .openapi(backtest.route, backtest.handler)
  .openapi(list.route, list.handler)
  .openapi(band.route, band.handler)
  .openapi(get.route, get.handler)
  .openapi(update.route, update.handler)
  .openapi(remove.route, remove.handler);
