import { newApp } from "../openapi";
import approve from "./approve";
import list from "./list";
import reject from "./reject";
import run from "./run";

export const suggestionsApi = newApp().openapiRoutes([list, run]);

export const suggestionActionsApi = newApp().openapiRoutes([approve, reject]);
