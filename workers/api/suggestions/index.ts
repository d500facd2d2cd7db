import { newApp } from "../openapi";
import * as approve from "./approve";
import * as list from "./list";
import * as reject from "./reject";
import * as run from "./run";

export const suggestionsApi = newApp()
  .openapi(list.route, list.handler)
  .openapi(run.route, run.handler);

export const suggestionActionsApi = newApp()
  .openapi(approve.route, approve.handler)
  .openapi(reject.route, reject.handler);
