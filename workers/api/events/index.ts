import { newApp } from "../openapi";
import create from "./create";
import list from "./list";
import series from "./series";

export const eventsApi = newApp().openapiRoutes([list, create, series]);
