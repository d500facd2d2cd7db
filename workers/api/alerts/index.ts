import { newApp } from "../openapi";
import ack from "./ack";
import forget from "./forget";
import get from "./get";
import list from "./list";
import resolve from "./resolve";
import snooze from "./snooze";

export const alertsApi = newApp().openapiRoutes([list, get, ack, resolve, snooze, forget]);
