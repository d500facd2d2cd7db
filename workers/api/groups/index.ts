import { newApp } from "../openapi";
import * as list from "./list";

/** Mounted under /v1/businesses. */
export const groupsApi = newApp().openapi(list.route, list.handler);
