import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { SIGN_IN_LIMITS } from "../../workers/definitions/people";
import { sha256Hex } from "../../workers/lib/crypto";
import { call } from "../helpers";
import { person, signIn, unique, workspace } from "./support";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function timed(f: () => Promise<{ status: number }>) {
  const start = performance.now();
  const res = await f();
  return { ms: performance.now() - start, status: res.status };
}

describe("people sign in as themselves", () => {
  it("joins by a one-time invitation, then signs in with email and password", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "editor");
    const me = await call("GET", "/v1/auth/me", { token: p.session });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ type: "member", email: p.email });
    expect(me.json.workspaces).toEqual([expect.objectContaining({ id: ws.id, role: "editor" })]);

    const ok = await signIn(p.email.toUpperCase(), p.password);
    expect(ok.status).toBe(200);
    expect(ok.json.token).toMatch(/^anoms_/);
    expect(ok.json.token).not.toBe(p.session);
    expect((await signIn(p.email, "not the password")).status).toBe(401);
    expect((await signIn(`nobody.${Date.now()}@example.com`, p.password)).status).toBe(401);

    const stored = await env.DB.prepare(`select password_hash as h from users where email = ?`)
      .bind(p.email)
      .first<{ h: string }>();
    expect(stored?.h).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(stored?.h).not.toContain(p.password);
  });

  it("uses an invitation once", async () => {
    const ws = await workspace();
    const invited = await call("POST", `/v1/workspaces/${ws.id}/members`, {
      body: { email: `once.${Date.now()}@example.com`, role: "viewer" },
    });
    expect(invited.status).toBe(201);
    expect(invited.json).toMatchObject({ status: "invited", role: "viewer" });
    const token = String(invited.json.inviteUrl).split("/invite/")[1];
    const body = { token, password: "a long enough password" };
    expect((await call("POST", "/v1/auth/accept-invite", { token: null, body })).status).toBe(200);
    const again = await call("POST", "/v1/auth/accept-invite", { token: null, body });
    expect(again.status).toBe(404);
    const members = await call("GET", `/v1/workspaces/${ws.id}/members`);
    expect(members.json.items).toEqual([
      expect.objectContaining({ email: invited.json.email, status: "active" }),
    ]);
  });

  it("runs the same 100,000-iteration KDF for a wrong password, an unknown email and a right one", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const kdf = vi.spyOn(crypto.subtle, "deriveBits");
    try {
      const iterations = () =>
        kdf.mock.calls.map(([params]) => (params as { iterations?: number }).iterations);
      expect((await signIn(p.email, p.password, "198.51.100.50")).status).toBe(200);
      expect(iterations()).toEqual([100_000]);
      kdf.mockClear();
      expect((await signIn(p.email, "wrong password!", "198.51.100.51")).status).toBe(401);
      expect(iterations()).toEqual([100_000]);
      kdf.mockClear();
      expect((await signIn(`ghost.${Date.now()}@example.com`, "x", "198.51.100.52")).status).toBe(
        401,
      );
      expect(iterations()).toEqual([100_000]);
    } finally {
      kdf.mockRestore();
    }
  });

  it("answers an unknown email as slowly as a wrong password", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      const address = `198.51.100.${i}`;
      const w = await timed(() => signIn(p.email, "wrong password!", address));
      const u = await timed(() => signIn(`ghost${i}.${Date.now()}@example.com`, "x", address));
      expect([w.status, u.status]).toEqual([401, 401]);
      wrong.push(w.ms);
      unknown.push(u.ms);
    }
    // Measured here: about 90 ms each (one PBKDF2 run and the failure count).
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.6);
    expect(median(wrong)).toBeGreaterThan(median(unknown) * 0.6);
  });

  it("throttles repeated failures per email, even for the right password", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    for (let i = 0; i < SIGN_IN_LIMITS.email; i++) {
      expect((await signIn(p.email, `wrong ${i}`, `192.0.2.${i}`)).status).toBe(401);
    }
    const blocked = await signIn(p.email, p.password, "192.0.2.200");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(blocked.headers.get("content-type")).toContain("application/problem+json");
  });

  it("throttles many failures from one address across emails", async () => {
    const address = `203.0.113.${Math.floor(Math.random() * 200) + 20}`;
    for (let i = 0; i < SIGN_IN_LIMITS.address; i++) {
      await signIn(`spray${i}.${Date.now()}@example.com`, "guess", address);
    }
    expect((await signIn(`spray.last.${Date.now()}@example.com`, "guess", address)).status).toBe(
      429,
    );
  }, 60_000);

  it("makes a stolen session token useless after signing out everywhere", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const stolen = p.session;
    const mine = (await signIn(p.email, p.password)).json.token as string;
    expect((await call("GET", "/v1/auth/me", { token: stolen })).status).toBe(200);
    expect((await call("POST", "/v1/auth/sign-out-everywhere", { token: mine })).status).toBe(204);
    expect((await call("GET", "/v1/auth/me", { token: stolen })).status).toBe(401);
    expect((await call("GET", "/v1/businesses", { token: stolen })).status).toBe(401);
    expect((await call("GET", "/v1/auth/me", { token: mine })).status).toBe(401);
  });

  it("rotates a session: the old token stops, the new one works; sign-out ends it", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const rotated = await call("POST", "/v1/auth/rotate", { token: p.session });
    expect(rotated.status).toBe(200);
    expect((await call("GET", "/v1/auth/me", { token: p.session })).status).toBe(401);
    const next = rotated.json.token as string;
    expect((await call("GET", "/v1/auth/me", { token: next })).status).toBe(200);
    expect((await call("POST", "/v1/auth/sign-out", { token: next })).status).toBe(204);
    expect((await call("GET", "/v1/auth/me", { token: next })).status).toBe(401);
  });

  it("stores only a hash of session tokens", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const row = await env.DB.prepare(`select id from sessions where id = ?`)
      .bind(await sha256Hex(p.session))
      .first();
    expect(row).not.toBeNull();
    const raw = await env.DB.prepare(`select id from sessions where id = ?`)
      .bind(p.session)
      .first();
    expect(raw).toBeNull();
  });
});

describe("members and roles", () => {
  it("keeps the last owner: not removed, not demoted; a second owner makes both possible", async () => {
    const ws = await workspace();
    const owner = await person(ws.id, "owner");
    const members = (await call("GET", `/v1/workspaces/${ws.id}/members`)).json.items;
    const me = members.find((m: { email: string }) => m.email === owner.email);
    const path = `/v1/workspaces/${ws.id}/members/${me.id}`;
    expect((await call("DELETE", path, { token: owner.session })).status).toBe(409);
    const demote = await call("PATCH", path, { token: owner.session, body: { role: "admin" } });
    expect(demote.status).toBe(409);
    await person(ws.id, "owner", { token: owner.session });
    expect(
      (await call("PATCH", path, { token: owner.session, body: { role: "admin" } })).status,
    ).toBe(200);
  });

  it("lets an admin manage editors and viewers but not owners", async () => {
    const ws = await workspace();
    const owner = await person(ws.id, "owner");
    const admin = await person(ws.id, "admin");
    const viewer = await person(ws.id, "viewer", { token: admin.session });
    const ownerPath = `/v1/workspaces/${ws.id}/members/${owner.memberId}`;
    expect((await call("DELETE", ownerPath, { token: admin.session })).status).toBe(403);
    const grant = await call("POST", `/v1/workspaces/${ws.id}/members`, {
      token: admin.session,
      body: { email: `o.${Date.now()}@example.com`, role: "owner" },
    });
    expect(grant.status).toBe(403);
    const viewerPath = `/v1/workspaces/${ws.id}/members/${viewer.memberId}`;
    const promoted = await call("PATCH", viewerPath, {
      token: admin.session,
      body: { role: "editor" },
    });
    expect(promoted.json.role).toBe("editor");
    expect((await call("DELETE", viewerPath, { token: admin.session })).status).toBe(204);
  });

  it("takes a removed member's access away at once, as if the workspace did not exist", async () => {
    const ws = await workspace();
    const biz = await call("POST", "/v1/businesses", {
      body: { name: unique("Gone"), workspaceId: ws.id },
    });
    const p = await person(ws.id, "editor");
    const path = `/v1/businesses/${biz.json.id}`;
    expect((await call("GET", path, { token: p.session })).status).toBe(200);
    await call("DELETE", `/v1/workspaces/${ws.id}/members/${p.memberId}`);
    expect((await call("GET", path, { token: p.session })).status).toBe(404);
    expect((await call("GET", "/v1/businesses", { token: p.session })).json.items).toEqual([]);
  });

  it("lets a viewer read but not change, with 403", async () => {
    const ws = await workspace();
    const biz = await call("POST", "/v1/businesses", {
      body: { name: unique("Read only"), workspaceId: ws.id },
    });
    const p = await person(ws.id, "viewer");
    const path = `/v1/businesses/${biz.json.id}`;
    expect((await call("GET", path, { token: p.session })).status).toBe(200);
    const patch = await call("PATCH", path, { token: p.session, body: { name: "x" } });
    expect(patch.status).toBe(403);
    expect(patch.json.detail).toContain("editor");
  });

  it("lets a person in several workspaces create a business only by naming one", async () => {
    const a = await workspace();
    const b = await workspace();
    const p = await person(a.id, "editor");
    const second = await call("POST", `/v1/workspaces/${b.id}/members`, {
      body: { email: p.email, role: "viewer" },
    });
    const token = String(second.json.inviteUrl).split("/invite/")[1];
    // Someone who has a password confirms it to accept.
    const wrong = await call("POST", "/v1/auth/accept-invite", {
      token: null,
      body: { token, password: "not my password at all" },
    });
    expect(wrong.status).toBe(422);
    const accepted = await call("POST", "/v1/auth/accept-invite", {
      token: null,
      body: { token, password: p.password },
    });
    expect(accepted.json.workspaces).toHaveLength(2);
    const session = accepted.json.token as string;
    const unnamed = await call("POST", "/v1/businesses", { token: session, body: { name: "x" } });
    expect(unnamed.status).toBe(422);
    expect(unnamed.json.errors[0].path).toBe("workspaceId");
    const inA = await call("POST", "/v1/businesses", {
      token: session,
      body: { name: "x", workspaceId: a.id },
    });
    expect(inA.status).toBe(201);
    expect(inA.json.workspaceId).toBe(a.id);
    const inB = await call("POST", "/v1/businesses", {
      token: session,
      body: { name: "x", workspaceId: b.id },
    });
    expect(inB.status).toBe(403);
  });
});
