import { newApp } from "../openapi";
import backtest from "./backtest";
import band from "./band";
import check from "./check";
import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import update from "./update";

export const rulesApi = newApp().openapiRoutes([
  create,
  check,
  backtest,
  list,
  band,
  get,
  update,
  remove,
]);
