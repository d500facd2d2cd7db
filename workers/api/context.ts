import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Role } from "../../schema/tables/teams";
import type { Principal } from "../definitions/principal";
import type { Database } from "../lib/db";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Database;
    /** Who is calling (set by the gate on every authenticated route). */
    principal: Principal;
    /** The workspaces the caller sees; null: all (the instance owner). */
    visible: string[] | null;
    /** The workspace the route acts in, when it acts in one. */
    workspaceId: string | undefined;
    /** The caller's role in that workspace. */
    role: Role | undefined;
  };
}

export type App = OpenAPIHono<AppEnv>;
export type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
