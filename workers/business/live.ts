/**
 * The live channel: a WebSocket (hibernatable: an idle watcher costs no
 * running object) that hears `{"type":"alerts"}` whenever this business's
 * alerts changed and the change reached the alert index.
 */
export function acceptWatcher(ctx: DurableObjectState, request: Request): Response {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("Expected a WebSocket upgrade.", { status: 426 });
  }
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  ctx.acceptWebSocket(server);
  server.send(JSON.stringify({ type: "hello" }));
  return new Response(null, { status: 101, webSocket: client });
}

export function answerWatcher(ws: WebSocket, message: string | ArrayBuffer): void {
  if (message === "ping") ws.send(JSON.stringify({ type: "pong" }));
}

export function closeWatcher(ws: WebSocket, code: number): void {
  ws.close(code === 1005 || code === 1006 ? 1000 : code, "bye");
}

/** Tells every watcher that alerts changed (they reload what they show). */
export function announce(ctx: DurableObjectState): void {
  const message = JSON.stringify({ type: "alerts", at: Date.now() });
  for (const ws of ctx.getWebSockets()) {
    try {
      ws.send(message);
    } catch {
      // A socket that is closing; the runtime drops it.
    }
  }
}
