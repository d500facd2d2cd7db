import { env } from "cloudflare:test";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { verifyAccessJwt } from "../../workers/api/auth/access";
import { sha256Hex } from "../../workers/lib/crypto";
import { alertsOf, businessWithSource, call, createRule, ingest } from "../helpers";
import { key, person, unique, workspace } from "./support";

describe("API keys", () => {
  it("shows the token once, keeps only its hash, and notes when it was last used", async () => {
    const ws = await workspace();
    const created = await key(ws.id, "viewer");
    expect(created.token).toMatch(/^anomk_/);
    const row = await env.DB.prepare(`select * from api_keys where id = ?`)
      .bind(created.id)
      .first<Record<string, unknown>>();
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(row?.token_hash).toBe(await sha256Hex(created.token));
    const listed = await call("GET", `/v1/workspaces/${ws.id}/keys`);
    expect(JSON.stringify(listed.json)).not.toContain(created.token);
    expect(listed.json.items[0]).toMatchObject({
      id: created.id,
      lastUsedAt: null,
      role: "viewer",
    });
    expect((await call("GET", "/v1/businesses", { token: created.token })).status).toBe(200);
    const after = await call("GET", `/v1/workspaces/${ws.id}/keys`);
    expect(after.json.items[0].lastUsedAt).not.toBeNull();
  });

  it("stops a revoked key at once", async () => {
    const ws = await workspace();
    const k = await key(ws.id, "editor");
    expect((await call("GET", "/v1/businesses", { token: k.token })).status).toBe(200);
    expect((await call("DELETE", `/v1/workspaces/${ws.id}/keys/${k.id}`)).status).toBe(204);
    const refused = await call("GET", "/v1/businesses", { token: k.token });
    expect(refused.status).toBe(401);
    expect(refused.json.detail).toContain("revoked");
  });

  it("stops a key when it expires, and refuses an expiry in the past", async () => {
    const ws = await workspace();
    const past = await call("POST", `/v1/workspaces/${ws.id}/keys`, {
      body: { name: "old", role: "viewer", expiresAt: "2020-01-01T00:00:00Z" },
    });
    expect(past.status).toBe(422);
    expect(past.json.errors[0].path).toBe("expiresAt");
    const k = await key(ws.id, "viewer", {
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect((await call("GET", "/v1/businesses", { token: k.token })).status).toBe(200);
    await env.DB.prepare(`update api_keys set expires_at = ? where id = ?`)
      .bind(Date.now() - 1, k.id)
      .run();
    expect((await call("GET", "/v1/businesses", { token: k.token })).status).toBe(401);
  });

  it("puts a key's businesses into its workspace and lists only those", async () => {
    const a = await workspace();
    const b = await workspace();
    const ka = await key(a.id, "editor");
    const kb = await key(b.id, "editor");
    const name = unique("Mine");
    const created = await call("POST", "/v1/businesses", { token: ka.token, body: { name } });
    expect(created.json.workspaceId).toBe(a.id);
    const listA = await call("GET", "/v1/businesses?limit=500", { token: ka.token });
    expect(listA.json.items.map((x: { name: string }) => x.name)).toEqual([name]);
    const listB = await call("GET", "/v1/businesses?limit=500", { token: kb.token });
    expect(listB.json.items).toEqual([]);
    const foreign = await call("GET", `/v1/businesses?workspaceId=${a.id}`, { token: kb.token });
    expect(foreign.status).toBe(404);
    const owner = await call("GET", `/v1/businesses?workspaceId=${a.id}`);
    expect(owner.json.items.map((x: { name: string }) => x.name)).toEqual([name]);
  });

  it("lists only a workspace's alerts to its keys", async () => {
    const a = await workspace();
    const b = await workspace();
    const { business, token } = await businessWithSource({ workspaceId: a.id });
    await createRule(business.id, { name: "Slow", kind: "immediate", condition: "durationMs > 1" });
    await ingest(business.id, token, { routeId: "R", durationMs: 5 });
    expect(await alertsOf(business.id)).toHaveLength(1);
    const kb = await key(b.id, "viewer");
    const ka = await key(a.id, "viewer");
    const mine = await call("GET", `/v1/alerts?businessId=${business.id}`, { token: ka.token });
    expect(mine.json.items).toHaveLength(1);
    const theirs = await call("GET", `/v1/alerts?businessId=${business.id}`, { token: kb.token });
    expect(theirs.json.items).toEqual([]);
  });
});

describe("the audit log", () => {
  it("records who created and changed a rule, with a compact diff, and who acknowledged an alert", async () => {
    const ws = await workspace();
    const editor = await person(ws.id, "editor");
    const { business, token } = await businessWithSource({ workspaceId: ws.id });
    const rule = await call("POST", `/v1/businesses/${business.id}/rules`, {
      token: editor.session,
      body: { name: "Slow", kind: "immediate", condition: "durationMs > 1" },
    });
    expect(rule.status).toBe(201);
    const patched = await call("PATCH", `/v1/businesses/${business.id}/rules/${rule.json.id}`, {
      token: editor.session,
      body: { name: "Very slow", severity: "critical" },
    });
    expect(patched.status).toBe(200);
    await ingest(business.id, token, { routeId: "R", durationMs: 5 });
    const [alert] = await alertsOf(business.id);
    const ack = await call("POST", `/v1/alerts/${alert?.id}/ack`, { token: editor.session });
    expect(ack.status).toBe(200);

    const viewer = await person(ws.id, "viewer");
    const log = await call("GET", `/v1/workspaces/${ws.id}/audit?targetId=${rule.json.id}`, {
      token: viewer.session,
    });
    expect(log.status).toBe(200);
    expect(log.json.items).toEqual([
      expect.objectContaining({
        action: "rule.update",
        actor: { type: "member", id: expect.any(String), name: editor.email },
        target: { type: "rule", id: rule.json.id },
        detail: {
          changes: { name: ["Slow", "Very slow"], severity: ["warning", "critical"] },
        },
      }),
      expect.objectContaining({
        action: "rule.create",
        detail: { created: expect.objectContaining({ name: "Slow", kind: "immediate" }) },
      }),
    ]);
    const acks = await call("GET", `/v1/workspaces/${ws.id}/audit?action=alert.acknowledge`);
    expect(acks.json.items).toEqual([
      expect.objectContaining({ target: { type: "alert", id: alert?.id } }),
    ]);
    // The invitations and the business are there too; rules by prefix.
    const rules = await call("GET", `/v1/workspaces/${ws.id}/audit?action=rule.`);
    expect(rules.json.items.map((e: { action: string }) => e.action)).toEqual([
      "rule.update",
      "rule.create",
    ]);
  });

  it("pages newest first, never logs secrets, and is not visible to another workspace", async () => {
    const ws = await workspace();
    const made = await key(ws.id, "admin");
    for (let i = 0; i < 3; i++) await key(ws.id, "viewer", { name: `k${i}` });
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: { json: { items: { id: string; action: string }[]; nextCursor: string | null } } =
        await call(
          "GET",
          `/v1/workspaces/${ws.id}/audit?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
      seen.push(...page.json.items.map((e) => e.id));
      cursor = page.json.nextCursor;
    }
    expect(seen).toHaveLength(5); // the workspace and four keys
    expect([...seen].sort().reverse()).toEqual(seen);
    const all = await call("GET", `/v1/workspaces/${ws.id}/audit?action=key.create`);
    expect(all.json.items).toHaveLength(4);
    expect(JSON.stringify(all.json)).not.toContain(made.token);
    expect(JSON.stringify(all.json)).not.toContain("anomk_");
    // An invitation's one-time link is not in the log either (a viewer reads the log).
    const invited = await call("POST", `/v1/workspaces/${ws.id}/members`, {
      body: { email: `audit.${Date.now()}@example.com`, role: "admin" },
    });
    const inviteToken = String(invited.json.inviteUrl).split("/invite/")[1] ?? "";
    expect(inviteToken.length).toBeGreaterThan(10);
    const invites = await call("GET", `/v1/workspaces/${ws.id}/audit?action=member.invite`);
    expect(invites.json.items).toHaveLength(1);
    expect(JSON.stringify(invites.json)).not.toContain(inviteToken);
    const other = await key((await workspace()).id, "admin");
    const peek = await call("GET", `/v1/workspaces/${ws.id}/audit`, { token: other.token });
    expect(peek.status).toBe(404);
  });
});

describe("Cloudflare Access (jose, in workerd)", () => {
  const config = { teamDomain: "https://example-team.cloudflareaccess.com", audience: "aud-123" };

  async function signer() {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" };
    const keys = createLocalJWKSet({ keys: [jwk] });
    const sign = (claims: Record<string, unknown>, exp = "5m") =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: "k1" })
        .setIssuer(String(claims.iss ?? config.teamDomain))
        .setAudience(String(claims.aud ?? config.audience))
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey);
    return { keys, sign };
  }

  it("maps a token signed by the team's key to its email, and refuses any other", async () => {
    const { keys, sign } = await signer();
    expect(await verifyAccessJwt(await sign({ email: "Ada@Example.com" }), config, keys)).toBe(
      "ada@example.com",
    );
    const wrongAudience = await sign({ email: "a@example.com", aud: "other" });
    expect(await verifyAccessJwt(wrongAudience, config, keys)).toBeUndefined();
    const wrongIssuer = await sign({ email: "a@example.com", iss: "https://evil.example" });
    expect(await verifyAccessJwt(wrongIssuer, config, keys)).toBeUndefined();
    const expired = await sign({ email: "a@example.com" }, "-1m");
    expect(await verifyAccessJwt(expired, config, keys)).toBeUndefined();
    const stranger = await signer();
    const foreign = await stranger.sign({ email: "a@example.com" });
    expect(await verifyAccessJwt(foreign, config, keys)).toBeUndefined();
  });
});
