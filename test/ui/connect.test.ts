import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as connect from "../../app/routes/business-connect";
import { businessWithSource, listEvents } from "../helpers";
import { uiContext, uiGet, uiPost } from "./support";

const API = "http://anom.test";

/** Runs a snippet's curl the way the shell would send it: URL, headers and body from the text. */
async function runCurl(text: string) {
  const url = text.match(/curl -sS (\S+)/)?.[1] ?? "";
  const headers = new Headers();
  for (const [, h] of text.matchAll(/-H '([^']+)'/g)) {
    const [name, ...value] = (h ?? "").split(": ");
    headers.set(name ?? "", value.join(": "));
  }
  const body = text.match(/-d '(.*)'$/s)?.[1]?.replaceAll("'\\''", "'");
  return SELF.fetch(url, { method: "POST", headers, body });
}

/** Runs the stream snippet: websocat's URL and header, then its line as one frame; the frame's ack. */
async function runStream(text: string) {
  const [command = "", line = ""] = text.split("\n");
  const url = command.match(/ (ws\S+)$/)?.[1]?.replace(/^ws/, "http") ?? "";
  const authorization = command.match(/-H 'Authorization: ([^']+)'/)?.[1] ?? "";
  const res = await SELF.fetch(url, { headers: { upgrade: "websocket", authorization } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no socket: ${res.status}`);
  const ack = new Promise<{ status: number }>((resolve) =>
    ws.addEventListener("message", (e) => {
      const message = JSON.parse(String(e.data));
      if (message.ack) resolve(message);
    }),
  );
  ws.accept();
  ws.send(line);
  const result = await ack;
  ws.close();
  return result;
}

describe("the connect-a-source page", () => {
  it("makes a token and gives snippets with the real URL and token that work as pasted", async () => {
    const { business } = await businessWithSource();
    const context = uiContext({ API_URL: API });
    const path = `/businesses/${business.id}/connect`;
    const before = await connect.loader({
      request: await uiGet(path),
      params: { id: business.id },
      context,
    } as never);
    expect(before.sources).toHaveLength(1);
    expect(before.apiUrl).toBe(API);

    const made = await connect.action({
      request: await uiPost(path, { name: "from the page" }),
      params: { id: business.id },
      context,
    } as never);
    expect(made.token).toMatch(/^anom_/);

    const { snippets } = await import("../../app/lib/snippets");
    const list = snippets(before.business, before.apiUrl, made.token ?? "");
    expect(list.map((s) => s.id)).toEqual(["curl", "otel", "cron", "cloudevents", "stream"]);
    const byId = Object.fromEntries(list.map((s) => [s.id, s.text]));
    expect(byId.otel).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${API}/v1/otlp/${business.id}`);
    expect(byId.cron).toContain(`${API}/ping/${made.token}/backup`);

    // The curl and CloudEvents snippets store their example events as they are.
    expect((await runCurl(byId.curl ?? "")).status).toBe(202);
    expect((await runCurl(byId.cloudevents ?? "")).status).toBe(202);
    expect((await runStream(byId.stream ?? "")).status).toBe(202);
    expect((await listEvents(business.id)).items).toHaveLength(3);
  });

  it("names the field when the token cannot be made", async () => {
    const { business } = await businessWithSource();
    const refused = await connect.action({
      request: await uiPost(`/businesses/${business.id}/connect`, { name: " " }),
      params: { id: business.id },
      context: uiContext(),
    } as never);
    expect(refused.errors?.[0]?.path).toBe("name");
  });
});
