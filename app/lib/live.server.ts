import type { UiEnv } from "../env";
import { readToken } from "./session.server";

/**
 * `/live/{businessId}`: the browser's WebSocket to a business's alert stream.
 * The session cookie authenticates it (the token stays server-side) and only
 * this origin may open it; the socket itself is the business Durable Object's,
 * reached through the API worker.
 */
export async function liveAlerts(request: Request, env: UiEnv, businessId: string) {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade.", { status: 426 });
  }
  const origin = request.headers.get("origin");
  if (origin && origin !== new URL(request.url).origin) {
    return new Response("Cross-site sockets are refused.", { status: 403 });
  }
  const token = await readToken(request);
  if (!token) return new Response("Sign in first.", { status: 401 });
  return env.API.fetch(`http://api.internal/v1/businesses/${businessId}/live`, {
    headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
  });
}
