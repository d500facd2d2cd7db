import { endAllSessions, endSession } from "../../definitions/people";
import { manage } from "../routes";

export const signOut = manage
  .People("post", "/sign-out", "End this session")
  .empty(204, "Signed out")
  .problems(403)
  .handle(async (c) => {
    const p = c.var.principal;
    if (p.type === "member" && p.sessionId) await endSession(c.var.db, p.sessionId);
    return c.body(null, 204);
  });

export const signOutEverywhere = manage
  .People(
    "post",
    "/sign-out-everywhere",
    "End every session of the signed-in person, on every device",
  )
  .empty(204, "Signed out everywhere")
  .problems(403)
  .handle(async (c) => {
    const p = c.var.principal;
    if (p.type === "member") await endAllSessions(c.var.db, p.userId);
    return c.body(null, 204);
  });
