import type { Context } from "hono";
import { problemBody, problemResponse } from "../lib/errors";
import type { AppEnv } from "./context";

/** The 426 answer for a plain request to a WebSocket route; undefined for an upgrade. */
export function upgradeRequired(c: Context<AppEnv>): Response | undefined {
  if (c.req.header("upgrade")?.toLowerCase() === "websocket") return undefined;
  return problemResponse(
    problemBody(426, "Upgrade Required", "This endpoint is a WebSocket: send Upgrade: websocket."),
  );
}
