import { newApp } from "../openapi";
import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import status from "./status";
import summary from "./summary";
import update from "./update";

// `summary` before `get`: `/{id}` would take "summary" for an id.
export const businessesApi = newApp().openapiRoutes([
  create,
  list,
  summary,
  get,
  status,
  update,
  remove,
]);
