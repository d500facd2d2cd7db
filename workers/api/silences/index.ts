import { newApp } from "../openapi";
import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import update from "./update";

export const silencesApi = newApp().openapiRoutes([create, list, get, update, remove]);
