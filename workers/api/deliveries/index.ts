import { newApp } from "../openapi";
import * as list from "./list";
import * as resend from "./resend";

/** Mounted under /v1/businesses. */
export const deliveriesApi = newApp().openapi(list.route, list.handler);
/** Mounted under /v1/deliveries. */
export const deliveryActionsApi = newApp().openapi(resend.route, resend.handler);
