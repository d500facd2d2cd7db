import { newApp } from "../openapi";
import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import test from "./test";
import update from "./update";

export const channelsApi = newApp().openapiRoutes([create, list, get, update, remove, test]);
