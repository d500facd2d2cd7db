import { newApp } from "../openapi";
import * as create from "./create";
import * as remove from "./delete";
import * as update from "./update";

export const fieldsApi = newApp()
  .openapi(create.route, create.handler)
  .openapi(update.route, update.handler)
  .openapi(remove.route, remove.handler);
