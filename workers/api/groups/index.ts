import { newApp } from "../openapi";
import list from "./list";

/** Mounted under /v1/businesses. */
export const groupsApi = newApp().openapiRoutes([list]);
