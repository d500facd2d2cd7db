import { newApp } from "../openapi";
import create from "./create";
import remove from "./delete";
import update from "./update";

export const fieldsApi = newApp().openapiRoutes([create, update, remove]);
