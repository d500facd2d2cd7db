import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 for notification tests (webhooks, Slack).
 * `POST /<path>` records the request; `?fail=N` answers 503 to the first N
 * attempts at that path; `?hang` never answers; `GET /_received?path=/<path>`
 * returns what arrived there.
 */
export async function startReceiver() {
  const received = new Map<string, ReceivedRequest[]>();
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/_received") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(received.get(url.searchParams.get("path") ?? "") ?? []));
      return;
    }
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const n = (attempts.get(url.pathname) ?? 0) + 1;
      attempts.set(url.pathname, n);
      if (url.searchParams.has("hang")) return;
      if (n <= Number(url.searchParams.get("fail") ?? 0)) {
        res.statusCode = 503;
        res.end("try again");
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const list = received.get(url.pathname) ?? [];
      list.push({ headers, body, at: Date.now() });
      received.set(url.pathname, list);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: (path: string) => received.get(path) ?? [],
    attempts: (path: string) => attempts.get(path) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Vitest global setup for the workers project: one receiver for all its tests. */
export default async function setup(project: TestProject) {
  const receiver = await startReceiver();
  project.provide("receiverPort", receiver.port);
  return receiver.close;
}
