import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createChannel, updateChannel } from "../../workers/definitions/channels";
import worker from "../../workers/index";
import { database } from "../../workers/lib/db";
import { ProblemError } from "../../workers/lib/errors";
import { isPrivateHost, parseIPv4, parseIPv6 } from "../../workers/lib/net";
import type { NotificationMessage } from "../../workers/notify/message";
import { call, createBusiness, receiverUrl } from "../helpers";
import { alertMessage } from "../support/messages";

describe("channels API", () => {
  it("creates a webhook channel whose secret is shown once", async () => {
    const b = await createBusiness();
    const res = await call("POST", `/v1/businesses/${b.id}/channels`, {
      body: {
        type: "webhook",
        url: "https://example.com/hooks/anom",
        severities: ["critical"],
        renotifyAfter: "4h",
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      type: "webhook",
      url: "https://example.com/hooks/anom",
      name: "example.com",
      severities: ["critical"],
      renotifyAfter: "4h",
      enabled: true,
    });
    expect(res.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const list = await call("GET", `/v1/businesses/${b.id}/channels`);
    expect(list.json.items).toHaveLength(1);
    expect(list.json.items[0].secret).toBeUndefined();
  });

  it("creates Slack and email channels, changes and removes them", async () => {
    const b = await createBusiness();
    const slack = await call("POST", `/v1/businesses/${b.id}/channels`, {
      body: { type: "slack", url: "https://hooks.slack.com/services/T0/B0/X" },
    });
    expect(slack.status).toBe(201);
    expect(slack.json.secret).toBeUndefined();
    const email = await call("POST", `/v1/businesses/${b.id}/channels`, {
      body: { type: "email", to: "ops@example.com" },
    });
    expect(email.json).toMatchObject({ type: "email", to: "ops@example.com" });

    const patched = await call("PATCH", `/v1/businesses/${b.id}/channels/${email.json.id}`, {
      body: { to: "oncall@example.com", enabled: false, renotifyAfter: "1h" },
    });
    expect(patched.json).toMatchObject({
      to: "oncall@example.com",
      enabled: false,
      renotifyAfter: "1h",
    });
    expect(
      (
        await call("PATCH", `/v1/businesses/${b.id}/channels/${email.json.id}`, {
          body: { url: "https://x.y" },
        })
      ).status,
    ).toBe(422);
    expect((await call("DELETE", `/v1/businesses/${b.id}/channels/${slack.json.id}`)).status).toBe(
      204,
    );
    expect((await call("DELETE", `/v1/businesses/${b.id}/channels/${slack.json.id}`)).status).toBe(
      404,
    );
  });

  it("validates the body", async () => {
    const b = await createBusiness();
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "webhook", url: "not a url" }, "url"],
      [{ type: "webhook", url: "ftp://example.com/x" }, "url"],
      [{ type: "email", to: "nobody" }, "to"],
      [{ type: "pager", url: "https://x.y" }, "type"],
      [{ type: "webhook", url: "https://x.y", renotifyAfter: "often" }, "renotifyAfter"],
    ];
    for (const [body, path] of cases) {
      const res = await call("POST", `/v1/businesses/${b.id}/channels`, { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it("reads one channel by id, without its secret, and only within its business", async () => {
    const b = await createBusiness();
    const other = await createBusiness();
    const created = await call("POST", `/v1/businesses/${b.id}/channels`, {
      body: { type: "webhook", url: "https://example.com/one" },
    });
    const got = await call("GET", `/v1/businesses/${b.id}/channels/${created.json.id}`);
    expect(got.status).toBe(200);
    const { secret: _secret, ...shown } = created.json;
    expect(got.json).toEqual(shown);
    expect(got.json.secret).toBeUndefined();
    const elsewhere = await call("GET", `/v1/businesses/${other.id}/channels/${created.json.id}`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers.get("content-type")).toBe("application/problem+json");
    expect((await call("GET", `/v1/businesses/${b.id}/channels/chn_nope`)).status).toBe(404);
    const noToken = await call("GET", `/v1/businesses/${b.id}/channels/${created.json.id}`, {
      token: null,
    });
    expect(noToken.status).toBe(401);
  });

  it("lets rules name channels of their own business", async () => {
    const b = await createBusiness();
    const ch = await call("POST", `/v1/businesses/${b.id}/channels`, {
      body: { type: "email", to: "ops@example.com" },
    });
    const ok = await call("POST", `/v1/businesses/${b.id}/rules`, {
      body: { name: "r", kind: "immediate", condition: "true", channels: [ch.json.id] },
    });
    expect(ok.status).toBe(201);
    const other = await createBusiness();
    const bad = await call("POST", `/v1/businesses/${other.id}/rules`, {
      body: { name: "r", kind: "immediate", condition: "true", channels: [ch.json.id] },
    });
    expect(bad.status).toBe(422);
  });
});

describe("the target guard", () => {
  it("knows every spelling of private, loopback, link-local, CGNAT, multicast and metadata hosts", () => {
    for (const host of [
      "localhost",
      "localhost.",
      "LOCALHOST..",
      "app.localhost",
      "metadata.google.internal.",
      "printer.local",
      "router.home.arpa",
      "127.0.0.1",
      "127.1",
      "0x7f.1",
      "0177.0.0.1",
      "2130706433",
      "0x7f000001",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "100.100.100.200",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "[::1]",
      "[::]",
      "[::ffff:127.0.0.1]",
      "[::ffff:7f00:1]",
      "[::ffff:a9fe:a9fe]",
      "[::ffff:10.0.0.1]",
      "[0:0:0:0:0:ffff:7f00:1]",
      "[::127.0.0.1]",
      "[64:ff9b::a9fe:a9fe]",
      "[2002:7f00:1::]",
      "[fd00::1]",
      "[fd00:ec2::254]",
      "[fe80::1%25eth0]",
      "[ff02::1]",
      "db.internal",
    ]) {
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of [
      "example.com",
      "hooks.slack.com",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "[2606:4700::1111]",
      "[::ffff:8.8.8.8]",
      "1.2.3.4.nip.io",
    ]) {
      expect(isPrivateHost(host), host).toBe(false);
    }
  });

  it("reads IP spellings as a URL parser does", () => {
    expect(parseIPv4("0x7f.1")).toBe(0x7f000001);
    expect(parseIPv4("0177.0.0.01")).toBe(0x7f000001);
    expect(parseIPv4("4294967295")).toBe(0xffffffff);
    expect(parseIPv4("4294967296")).toBeUndefined();
    expect(parseIPv4("1.2.3.256")).toBeUndefined();
    expect(parseIPv4("example.com")).toBeUndefined();
    expect(parseIPv6("::ffff:127.0.0.1")).toEqual(parseIPv6("::ffff:7f00:1"));
    expect(parseIPv6("1::2::3")).toBeUndefined();
    expect(parseIPv6("1:2:3:4:5:6:7:8:9")).toBeUndefined();
    // The URL parser itself rewrites every spelling to the forms the guard reads.
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
    expect(new URL("http://0x7f.1/").hostname).toBe("127.0.0.1");
  });
});

describe("the target guard in production mode", () => {
  const production = async () => ({
    ...env,
    ALLOW_PRIVATE_TARGETS: "false",
    DOH_URL: await receiverUrl("/dns-query"),
  });
  const refused = (e: unknown) =>
    e instanceof ProblemError && e.status === 422 && e.errors?.[0]?.path === "url";

  it("refuses private targets in every spelling, and names that resolve to them, on create", async () => {
    const b = await createBusiness();
    const prod = await production();
    const port = inject("receiverPort");
    const cases: [string, RegExp][] = [
      ["http://127.0.0.1:8080/x", /loopback/],
      ["http://localhost/x", /local or internal name 'localhost'/],
      ["http://localhost./x", /local or internal name/],
      ["http://metadata.google.internal./computeMetadata/v1/", /local or internal name/],
      ["http://169.254.169.254/latest", /metadata/],
      ["http://[::1]/x", /loopback/],
      [
        `http://[::ffff:127.0.0.1]:${port}/x`,
        /loopback address \(127.0.0.0\/8\) in IPv4-mapped form/,
      ],
      ["http://[::ffff:169.254.169.254]/x", /metadata/],
      ["http://[::ffff:10.0.0.1]/x", /private/],
      ["http://0x7f.1/x", /loopback/],
      ["http://2130706433/x", /loopback/],
      ["http://100.64.1.1/x", /carrier-grade NAT/],
      [`http://127.0.0.1.nip.io:${port}/x`, /resolves to 127\.0\.0\.1, a loopback/],
      ["http://localtest.me/x", /resolves to/],
      ["http://metadata.example.com/x", /169\.254\.169\.254/],
      ["http://mixed.example.com/x", /10\.0\.0\.7, a private/],
      ["http://mapped.example.com/x", /::ffff:7f00:1/],
      ["http://ula.example.com/x", /unique local/],
      ["http://nowhere.example/x", /does not resolve/],
      ["http://servfail.example/x", /could not be resolved/],
    ];
    for (const [url, message] of cases) {
      const attempt = createChannel(prod, database(env.DB), b.id, {
        type: "webhook",
        url,
        enabled: true,
      });
      await expect(attempt, url).rejects.toSatisfy(refused);
      await expect(attempt, url).rejects.toThrowError(message);
    }
    const ok = await createChannel(prod, database(env.DB), b.id, {
      type: "slack",
      url: "https://hooks.example.com/x",
      enabled: true,
    });
    expect(ok.id).toMatch(/^chn_/);
  });

  it("refuses the same targets on PATCH and keeps the old URL", async () => {
    const b = await createBusiness();
    const prod = await production();
    const db = database(env.DB);
    const ch = await createChannel(prod, db, b.id, {
      type: "webhook",
      url: "https://hooks.example.com/a",
      enabled: true,
    });
    for (const url of [
      "http://[::ffff:127.0.0.1]/x",
      "http://localhost./x",
      "http://127.0.0.1.nip.io/x",
    ]) {
      await expect(updateChannel(prod, db, b.id, ch.id, { url }), url).rejects.toSatisfy(refused);
    }
    const fresh = await updateChannel(prod, db, b.id, ch.id, {
      url: "https://hooks.example.com/b",
    });
    expect(fresh).toMatchObject({ url: "https://hooks.example.com/b" });
  });

  it("refuses at delivery a target saved earlier, so nothing reaches loopback", async () => {
    const b = await createBusiness();
    const port = inject("receiverPort");
    const prod = await production();
    for (const host of ["[::ffff:127.0.0.1]", "127.0.0.1.nip.io"]) {
      const path = `/guarded-${Date.now()}-${host.length}`;
      // Saved while private targets were allowed (local development), delivered in production.
      const ch = await call("POST", `/v1/businesses/${b.id}/channels`, {
        body: { type: "webhook", url: `http://${host}:${port}${path}` },
      });
      expect(ch.status).toBe(201);
      const m = alertMessage(b.id, ch.json.id);
      const batch = createMessageBatch<NotificationMessage>("anom-notifications", [
        { id: `msg${path}`, timestamp: new Date(), attempts: 1, body: m },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, prod, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toHaveLength(1);
      const log = await call("GET", `/v1/businesses/${b.id}/deliveries`);
      const row = log.json.items.find((d: { channelId: string }) => d.channelId === ch.json.id);
      expect(row).toMatchObject({ outcome: "dead", error: expect.stringMatching(/^refused: /) });
      const seen = await fetch(`http://127.0.0.1:${port}/_received?path=${path}`);
      expect(await seen.json()).toEqual([]);
    }
  });
});
