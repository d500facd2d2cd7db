import { newApp } from "../openapi";
import list from "./list";
import resend from "./resend";

/** Mounted under /v1/businesses. */
export const deliveriesApi = newApp().openapiRoutes([list]);
/** Mounted under /v1/deliveries. */
export const deliveryActionsApi = newApp().openapiRoutes([resend]);
