import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createChannel } from "../../workers/api/channels/service";
import { database } from "../../workers/lib/db";
import { ProblemError } from "../../workers/lib/errors";
import { isPrivateHost } from "../../workers/lib/net";
import { call, createBusiness } from "../helpers";

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

describe("SSRF protection", () => {
  it("knows private, loopback and link-local hosts", () => {
    for (const host of [
      "localhost",
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "[::1]",
      "::ffff:127.0.0.1",
      "fd00::1",
      "fe80::1",
      "0.0.0.0",
      "2130706433",
      "db.internal",
    ]) {
      expect(isPrivateHost(host), host).toBe(true);
    }
    for (const host of [
      "example.com",
      "hooks.slack.com",
      "8.8.8.8",
      "172.32.0.1",
      "[2606:4700::1111]",
    ]) {
      expect(isPrivateHost(host), host).toBe(false);
    }
  });

  it("refuses private targets outside local development", async () => {
    const b = await createBusiness();
    const production = { ...env, ALLOW_PRIVATE_TARGETS: "false" };
    for (const url of [
      "http://127.0.0.1:8080/x",
      "http://localhost/x",
      "http://169.254.169.254/latest",
      "http://[::1]/x",
    ]) {
      await expect(
        createChannel(production, database(env.DB), b.id, { type: "webhook", url, enabled: true }),
      ).rejects.toSatisfy(
        (e: unknown) =>
          e instanceof ProblemError && e.status === 422 && e.errors?.[0]?.path === "url",
      );
    }
    const ok = await createChannel(production, database(env.DB), b.id, {
      type: "webhook",
      url: "https://hooks.example.com/x",
      enabled: true,
    });
    expect(ok.id).toMatch(/^chn_/);
  });
});
