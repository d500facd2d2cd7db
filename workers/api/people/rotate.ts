import { createRoute, z } from "@hono/zod-openapi";
import { Timestamp } from "../../../schema/contracts/common";
import { rotateSession } from "../../definitions/people";
import { forbidden } from "../../lib/errors";
import { iso } from "../../lib/time";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "post",
  path: "/rotate",
  tags: ["People"],
  summary: "Swap the session token for a new one; the old one stops working",
  security: adminSecurity,
  responses: {
    200: jsonResponse(
      z.object({ token: z.string(), expiresAt: Timestamp }).openapi("SessionRotated"),
      "The new token",
    ),
    ...problems(401, 403),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const p = c.var.principal;
  if (p.type !== "member" || !p.sessionId) throw forbidden("Only a session token rotates.");
  const next = await rotateSession(c.var.db, p.sessionId, p.userId);
  return c.json({ token: next.token, expiresAt: iso(next.expiresAt) }, 200);
};
