import { env } from "cloudflare:test";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { verifyAccessJwt } from "../../workers/api/auth/access";
import { sha256Hex } from "../../workers/lib/crypto";
import {
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  client,
  createRule,
  expectStatus,
  ingest,
  problemOf,
  queryOf,
  send,
  statusOf,
} from "../helpers";
import { key, person, unique, workspace } from "./support";

/** The businesses a token lists (GET /v1/businesses with `query`). */
const businessesOf = (token: string, query = "") =>
  send(client(token).v1.businesses.$get({ query: queryOf(query) }));

/** A workspace's API keys, as the instance owner sees them. */
const keysOf = async (id: string) =>
  bodyOf(await send(api.v1.workspaces[":id"].keys.$get({ param: { id } })), 200);

/** A workspace's audit log (GET /v1/workspaces/{id}/audit with `query`), as `token`. */
const auditOf = (id: string, query = "", token?: string) =>
  send(client(token).v1.workspaces[":id"].audit.$get({ param: { id }, query: queryOf(query) }));

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
    const listed = await keysOf(ws.id);
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(listed.items[0]).toMatchObject({
      id: created.id,
      lastUsedAt: null,
      role: "viewer",
    });
    expect((await businessesOf(created.token)).status).toBe(200);
    const after = await keysOf(ws.id);
    expect(after.items).toHaveLength(1);
    expect(after.items[0]?.lastUsedAt).not.toBeNull();
  });

  it("stops a revoked key at once", async () => {
    const ws = await workspace();
    const k = await key(ws.id, "editor");
    expect((await businessesOf(k.token)).status).toBe(200);
    const revoke = api.v1.workspaces[":id"].keys[":keyId"].$delete({
      param: { id: ws.id, keyId: k.id },
    });
    expect(await statusOf(revoke)).toBe(204);
    const refused = await businessesOf(k.token);
    expect(refused.status).toBe(401);
    expect(problemOf(refused).detail).toContain("revoked");
  });

  it("stops a key when it expires, and refuses an expiry in the past", async () => {
    const ws = await workspace();
    const past = await send(
      api.v1.workspaces[":id"].keys.$post({
        param: { id: ws.id },
        json: { name: "old", role: "viewer", expiresAt: "2020-01-01T00:00:00Z" },
      }),
    );
    expect(past.status).toBe(422);
    expect(problemOf(past).errors?.[0]?.path).toBe("expiresAt");
    const k = await key(ws.id, "viewer", {
      expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect((await businessesOf(k.token)).status).toBe(200);
    await env.DB.prepare(`update api_keys set expires_at = ? where id = ?`)
      .bind(Date.now() - 1, k.id)
      .run();
    expect((await businessesOf(k.token)).status).toBe(401);
  });

  it("puts a key's businesses into its workspace and lists only those", async () => {
    const a = await workspace();
    const b = await workspace();
    const ka = await key(a.id, "editor");
    const kb = await key(b.id, "editor");
    const name = unique("Mine");
    const created = await send(client(ka.token).v1.businesses.$post({ json: { name } }));
    expect(bodyOf(created, 201).workspaceId).toBe(a.id);
    const listA = bodyOf(await businessesOf(ka.token, "limit=500"), 200);
    expect(listA.items.map((x) => x.name)).toEqual([name]);
    const listB = bodyOf(await businessesOf(kb.token, "limit=500"), 200);
    expect(listB.items).toEqual([]);
    const foreign = await businessesOf(kb.token, `workspaceId=${a.id}`);
    expect(foreign.status).toBe(404);
    const owner = bodyOf(await send(api.v1.businesses.$get({ query: { workspaceId: a.id } })), 200);
    expect(owner.items.map((x) => x.name)).toEqual([name]);
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
    const alerts = (token: string) =>
      send(client(token).v1.alerts.$get({ query: { businessId: business.id } }));
    expect(bodyOf(await alerts(ka.token), 200).items).toHaveLength(1);
    expect(bodyOf(await alerts(kb.token), 200).items).toEqual([]);
  });
});

describe("the audit log", () => {
  it("records who created and changed a rule, with a compact diff, and who acknowledged an alert", async () => {
    const ws = await workspace();
    const editor = await person(ws.id, "editor");
    const { business, token } = await businessWithSource({ workspaceId: ws.id });
    const as = client(editor.session);
    const created = await send(
      as.v1.businesses[":id"].rules.$post({
        param: { id: business.id },
        json: { name: "Slow", kind: "immediate", condition: "durationMs > 1" },
      }),
    );
    const rule = bodyOf(created, 201);
    const patched = await send(
      as.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { id: business.id, ruleId: rule.id },
        json: { name: "Very slow", severity: "critical" },
      }),
    );
    expect(patched.status).toBe(200);
    await ingest(business.id, token, { routeId: "R", durationMs: 5 });
    const [alert] = await alertsOf(business.id);
    const ack = await send(as.v1.alerts[":id"].ack.$post({ param: { id: alert?.id ?? "" } }));
    expect(ack.status).toBe(200);

    const viewer = await person(ws.id, "viewer");
    const log = await auditOf(ws.id, `targetId=${rule.id}`, viewer.session);
    expectStatus(log, 200);
    expect(log.json.items).toEqual([
      expect.objectContaining({
        action: "rule.update",
        actor: { type: "member", id: expect.any(String), name: editor.email },
        target: { type: "rule", id: rule.id },
        detail: {
          changes: { name: ["Slow", "Very slow"], severity: ["warning", "critical"] },
        },
      }),
      expect.objectContaining({
        action: "rule.create",
        detail: { created: expect.objectContaining({ name: "Slow", kind: "immediate" }) },
      }),
    ]);
    const acks = bodyOf(await auditOf(ws.id, "action=alert.acknowledge"), 200);
    expect(acks.items).toEqual([
      expect.objectContaining({ target: { type: "alert", id: alert?.id } }),
    ]);
    // The invitations and the business are there too; rules by prefix.
    const rules = bodyOf(await auditOf(ws.id, "action=rule."), 200);
    expect(rules.items.map((e) => e.action)).toEqual(["rule.update", "rule.create"]);
  });

  it("pages newest first, never logs secrets, and is not visible to another workspace", async () => {
    const ws = await workspace();
    const made = await key(ws.id, "admin");
    for (let i = 0; i < 3; i++) await key(ws.id, "viewer", { name: `k${i}` });
    const seen: string[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const query: string = `limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = bodyOf(await auditOf(ws.id, query), 200);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(5); // the workspace and four keys
    expect([...seen].sort().reverse()).toEqual(seen);
    const all = bodyOf(await auditOf(ws.id, "action=key.create"), 200);
    expect(all.items).toHaveLength(4);
    expect(JSON.stringify(all)).not.toContain(made.token);
    expect(JSON.stringify(all)).not.toContain("anomk_");
    // An invitation's one-time link is not in the log either (a viewer reads the log).
    const invited = await send(
      api.v1.workspaces[":id"].members.$post({
        param: { id: ws.id },
        json: { email: `audit.${Date.now()}@example.com`, role: "admin" },
      }),
    );
    const inviteToken = bodyOf(invited, 201).inviteUrl.split("/invite/")[1] ?? "";
    expect(inviteToken.length).toBeGreaterThan(10);
    const invites = bodyOf(await auditOf(ws.id, "action=member.invite"), 200);
    expect(invites.items).toHaveLength(1);
    expect(JSON.stringify(invites)).not.toContain(inviteToken);
    const other = await key((await workspace()).id, "admin");
    const peek = await auditOf(ws.id, "", other.token);
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
