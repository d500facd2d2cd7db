import { newApp } from "../openapi";
import * as create from "./create";
import * as list from "./list";
import * as revoke from "./revoke";

export const sourcesApi = newApp()
  .openapi(create.route, create.handler)
  .openapi(list.route, list.handler)
  .openapi(revoke.route, revoke.handler);
