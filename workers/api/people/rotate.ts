import { z } from "@hono/zod-openapi";
import { Timestamp } from "../../../schema/contracts/common";
import { rotateSession } from "../../definitions/people";
import { forbidden } from "../../lib/errors";
import { iso } from "../../lib/time";
import { manage } from "../routes";

export default manage
  .People("post", "/rotate", "Swap the session token for a new one; the old one stops working")
  .json(
    200,
    z.object({ token: z.string(), expiresAt: Timestamp }).openapi("SessionRotated"),
    "The new token",
  )
  .problems(403)
  .handle(async (c) => {
    const p = c.var.principal;
    if (p.type !== "member" || !p.sessionId) throw forbidden("Only a session token rotates.");
    const next = await rotateSession(c.var.db, p.sessionId, p.userId);
    return c.json({ token: next.token, expiresAt: iso(next.expiresAt) }, 200);
  });
