import type { Context } from "hono";
import { StreamSession } from "../../ingest/stream";
import { STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from "../../ingest/stream-protocol";
import { badRequest } from "../../lib/errors";
import { bearerToken } from "../auth/bearer";
import type { AppEnv } from "../context";
import { upgradeRequired } from "../websocket";
import { authorizeSource } from "./source";

/**
 * `GET /v1/stream/{businessId}` with `Upgrade: websocket`: the stream, served
 * here at the edge (not in the business's Durable Object, which gets batches).
 * The source token comes as `Authorization: Bearer`, or, from browsers, as the
 * subprotocol `anom-token.<token>` offered next to `anom-stream`.
 */
export async function stream(c: Context<AppEnv>): Promise<Response> {
  const plain = upgradeRequired(c);
  if (plain) return plain;
  const offered = (c.req.header("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (offered.length > 0 && !offered.includes(STREAM_PROTOCOL))
    throw badRequest(`Offer the subprotocol ${STREAM_PROTOCOL} (with the token as a second one).`, [
      { path: "sec-websocket-protocol", message: `must include ${STREAM_PROTOCOL}` },
    ]);
  const token =
    bearerToken(c.req.header("authorization")) ??
    offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
  // 401/403/404 as an HTTP answer, before the upgrade.
  await authorizeSource(c, token);

  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  new StreamSession(server, { env: c.env, authorize: () => authorizeSource(c, token) }).start();
  return new Response(null, {
    status: 101,
    webSocket: client,
    headers: offered.length > 0 ? { "sec-websocket-protocol": STREAM_PROTOCOL } : {},
  });
}
