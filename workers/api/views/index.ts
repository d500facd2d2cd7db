import { newApp } from "../openapi";
import get from "./get";
import put from "./put";

export const viewsApi = newApp().openapiRoutes([get, put]);
