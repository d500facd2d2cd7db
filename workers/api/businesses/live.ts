import type { Context } from "hono";
import { problemBody, problemResponse } from "../../lib/errors";
import type { AppEnv } from "../context";
import { getBusiness } from "./service";

/**
 * `GET /v1/businesses/{id}/live`: a WebSocket served by the business's Durable
 * Object (with hibernation). It sends `{"type":"alerts"}` whenever the business's
 * alerts changed; clients reload what they show. Send `ping` for a `pong`.
 */
export async function live(c: Context<AppEnv>): Promise<Response> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return problemResponse(
      problemBody(
        426,
        "Upgrade Required",
        "This endpoint is a WebSocket: send Upgrade: websocket.",
      ),
    );
  }
  const id = c.req.param("id") ?? "";
  await getBusiness(c.var.db, id);
  return c.env.BUSINESS.get(c.env.BUSINESS.idFromName(id)).fetch(c.req.raw);
}
