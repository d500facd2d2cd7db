import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../lib/db";

export interface AppEnv {
  Bindings: Env;
  Variables: { db: Database };
}

export type App = OpenAPIHono<AppEnv>;
export type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
