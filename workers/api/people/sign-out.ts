import { createRoute } from "@hono/zod-openapi";
import { endAllSessions, endSession } from "../../definitions/people";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/sign-out",
  tags: ["People"],
  summary: "End this session",
  security: adminSecurity,
  responses: { 204: { description: "Signed out" }, ...problems(401, 403) },
});

export const handler: Handler<typeof route> = async (c) => {
  const p = c.var.principal;
  if (p.type === "member" && p.sessionId) await endSession(c.var.db, p.sessionId);
  return c.body(null, 204);
};

export const everywhereRoute = createRoute({
  method: "post",
  path: "/sign-out-everywhere",
  tags: ["People"],
  summary: "End every session of the signed-in person, on every device",
  security: adminSecurity,
  responses: { 204: { description: "Signed out everywhere" }, ...problems(401, 403) },
});

export const everywhereHandler: Handler<typeof everywhereRoute> = async (c) => {
  const p = c.var.principal;
  if (p.type === "member") await endAllSessions(c.var.db, p.userId);
  return c.body(null, 204);
};
