import { newApp } from "../openapi";
import apply from "./apply";
import list from "./list";

export const templatesApi = newApp().openapiRoutes([list, apply]);
