import { useEffect, useRef, useState } from "react";
import { useRevalidator } from "react-router";

/** At most this many businesses are watched from one page. */
const MAX_SOCKETS = 20;

/**
 * Keeps the page's data fresh while alerts change: one WebSocket per business
 * (`/live/{id}`, served by the business's Durable Object), and a reload of the
 * route's loaders when one says its alerts changed. Reconnects with backoff.
 * Returns whether every socket is connected.
 */
export function useLiveAlerts(businessIds: string[]): boolean {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  const [open, setOpen] = useState(0);
  const key = businessIds.slice(0, MAX_SOCKETS).join(",");

  useEffect(() => {
    const ids = key ? key.split(",") : [];
    const sockets = new Set<WebSocket>();
    const connected = new Set<string>();
    let stopped = false;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => revalidate.current(), 100);
    };
    const connect = (id: string, attempt: number) => {
      if (stopped) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${scheme}://${location.host}/live/${id}`);
      sockets.add(ws);
      ws.onmessage = (e) => {
        const message = JSON.parse(String(e.data)) as { type: string };
        if (message.type === "hello") {
          connected.add(id);
          setOpen(connected.size);
          // Anything that changed while the socket was down.
          if (attempt > 0) refresh();
        }
        if (message.type === "alerts") refresh();
      };
      ws.onclose = () => {
        sockets.delete(ws);
        connected.delete(id);
        if (stopped) return;
        setOpen(connected.size);
        setTimeout(() => connect(id, attempt + 1), Math.min(30_000, 1000 * 2 ** attempt));
      };
    };
    for (const id of ids) connect(id, 0);
    return () => {
      stopped = true;
      clearTimeout(debounce);
      for (const ws of sockets) ws.close();
      setOpen(0);
    };
  }, [key]);

  return key !== "" && open === key.split(",").length;
}

/** A small "live" badge for pages that update by themselves. */
export function LiveBadge({ live }: { live: boolean }) {
  return (
    <span className={`live ${live ? "on" : "off"}`} role="status" data-testid="live">
      {live ? "Live" : "Connecting…"}
    </span>
  );
}
