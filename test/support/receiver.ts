import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

/**
 * A real HTTP receiver on 127.0.0.1 for notification tests (webhooks, Slack).
 * `POST /<path>` records the request; `/<path>?fail=N` answers 503 to the first N
 * attempts at that path; `GET /_received?path=/<path>` returns what arrived there.
 */
export default async function setup(project: TestProject) {
  const received = new Map<
    string,
    { headers: Record<string, string>; body: string; at: number }[]
  >();
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
      const failFirst = Number(url.searchParams.get("fail") ?? 0);
      if (url.searchParams.has("hang")) return; // never answers: exercises timeouts
      if (n <= failFirst) {
        res.statusCode = 503;
        res.end("try again");
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const list = received.get(url.pathname) ?? [];
      list.push({ headers, body, at: Date.now() });
      received.set(url.pathname, list);
      res.statusCode = url.searchParams.has("status")
        ? Number(url.searchParams.get("status"))
        : 200;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("receiverPort", (server.address() as AddressInfo).port);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
