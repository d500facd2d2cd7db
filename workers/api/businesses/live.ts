import type { Context } from "hono";
import { getBusiness } from "../../definitions/businesses";
import { monitorOf } from "../../definitions/monitor";
import type { AppEnv } from "../context";
import { upgradeRequired } from "../websocket";

/**
 * `GET /v1/businesses/{id}/live`: a WebSocket served by the business's Durable
 * Object (with hibernation). It sends `{"type":"alerts"}` whenever the business's
 * alerts changed; clients reload what they show. Send `ping` for a `pong`.
 */
export async function live(c: Context<AppEnv>): Promise<Response> {
  const plain = upgradeRequired(c);
  if (plain) return plain;
  const id = c.req.param("id") ?? "";
  await getBusiness(c.var.db, id);
  return monitorOf(c.env, id).fetch(c.req.raw);
}
