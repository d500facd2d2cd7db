import { newApp } from "../openapi";
import create from "./create";
import list from "./list";
import revoke from "./revoke";

export const sourcesApi = newApp().openapiRoutes([create, list, revoke]);
