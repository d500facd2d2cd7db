import { newApp } from "../openapi";
import * as get from "./get";
import * as put from "./put";

export const viewsApi = newApp().openapi(get.route, get.handler).openapi(put.route, put.handler);
