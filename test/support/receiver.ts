import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";

export interface ReceivedRequest {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/**
 * What the DNS-over-HTTPS stub knows (A and AAAA). Names like the public
 * `127.0.0.1.nip.io` and `localtest.me` are here with the loopback answers the
 * real DNS gives them; any other name is NXDOMAIN, `servfail.example` fails.
 */
export const dnsRecords: Record<string, { A?: string[]; AAAA?: string[] }> = {
  "hooks.example.com": { A: ["93.184.215.14"], AAAA: ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"] },
  "127.0.0.1.nip.io": { A: ["127.0.0.1"] },
  "localtest.me": { A: ["127.0.0.1"], AAAA: ["::1"] },
  "metadata.example.com": { A: ["169.254.169.254"] },
  "mixed.example.com": { A: ["93.184.215.14", "10.0.0.7"] },
  "mapped.example.com": { A: ["93.184.215.14"], AAAA: ["::ffff:7f00:1"] },
  "ula.example.com": { AAAA: ["fd00::1"] },
};

/** Answers a DNS JSON API query (`?name=&type=A|AAAA`) from dnsRecords. */
function dnsAnswer(url: URL) {
  const name = (url.searchParams.get("name") ?? "").replace(/\.$/, "").toLowerCase();
  const type = url.searchParams.get("type") === "AAAA" ? "AAAA" : "A";
  if (name === "servfail.example") return { Status: 2, Question: [{ name, type }] };
  const record = dnsRecords[name];
  if (!record) return { Status: 3, Question: [{ name, type }] };
  const data = record[type] ?? [];
  return {
    Status: 0,
    Question: [{ name, type: type === "A" ? 1 : 28 }],
    Answer: data.map((d) => ({ name: `${name}.`, type: type === "A" ? 1 : 28, TTL: 60, data: d })),
  };
}

/**
 * A real HTTP receiver on 127.0.0.1 for notification tests (webhooks, Slack).
 * `POST /<path>` records the request; `?fail=N` answers 503 to the first N
 * attempts at that path; `?status=N` records the request and answers N
 * (with `?say=` as the body); `?hang` never answers; `GET /_received?path=/<path>`
 * returns what arrived there; `GET /dns-query` is a DNS-over-HTTPS (JSON)
 * resolver for the target guard's production-mode tests.
 */
export async function startReceiver() {
  const received = new Map<string, ReceivedRequest[]>();
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/dns-query") {
      res.setHeader("content-type", "application/dns-json");
      res.end(JSON.stringify(dnsAnswer(url)));
      return;
    }
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
      res.statusCode = Number(url.searchParams.get("status") ?? 200);
      res.end(url.searchParams.get("say") ?? "ok");
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
