import { createRoute } from "@hono/zod-openapi";
import { Me } from "../../../schema/contracts/teams";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { me } from "./service";

export const route = createRoute({
  method: "get",
  path: "/me",
  tags: ["People"],
  summary: "Who is signed in, and their workspaces and roles",
  security: adminSecurity,
  responses: { 200: jsonResponse(Me, "The caller"), ...problems(401, 403) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await me(c.var.db, c.var.principal), 200);
