import { newApp } from "../openapi";
import * as apply from "./apply";
import * as list from "./list";

export const templatesApi = newApp()
  .openapi(list.route, list.handler)
  .openapi(apply.route, apply.handler);
