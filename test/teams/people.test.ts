import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { SIGN_IN_LIMITS } from "../../workers/definitions/people";
import { sha256Hex } from "../../workers/lib/crypto";
import {
  api,
  bodyOf,
  client,
  createBusiness,
  expectStatus,
  problemOf,
  send,
  statusOf,
} from "../helpers";
import { person, signIn, unique, workspace } from "./support";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function timed(f: () => Promise<{ status: number }>) {
  const start = performance.now();
  const res = await f();
  return { ms: performance.now() - start, status: res.status };
}

/** Who a session token signs in as. */
const me = (token: string) => send(client(token).v1.auth.me.$get());

/** Accepts an invitation, without credentials. */
const accept = (json: { token: string; password: string }) =>
  send(client(null).v1.auth["accept-invite"].$post({ json }));

/** The invitation token of an invitation's URL. */
const inviteToken = (inviteUrl: string) => inviteUrl.split("/invite/")[1] ?? "";

describe("people sign in as themselves", () => {
  it("joins by a one-time invitation, then signs in with email and password", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "editor");
    const who = await me(p.session);
    expectStatus(who, 200);
    expect(who.json).toMatchObject({ type: "member", email: p.email });
    expect(who.json.workspaces).toEqual([expect.objectContaining({ id: ws.id, role: "editor" })]);

    const ok = await signIn(p.email.toUpperCase(), p.password);
    expectStatus(ok, 200);
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
    const invited = await send(
      api.v1.workspaces[":id"].members.$post({
        param: { id: ws.id },
        json: { email: `once.${Date.now()}@example.com`, role: "viewer" },
      }),
    );
    expectStatus(invited, 201);
    expect(invited.json).toMatchObject({ status: "invited", role: "viewer" });
    const body = { token: inviteToken(invited.json.inviteUrl), password: "a long enough password" };
    expect((await accept(body)).status).toBe(200);
    const again = await accept(body);
    expect(again.status).toBe(404);
    const members = bodyOf(
      await send(api.v1.workspaces[":id"].members.$get({ param: { id: ws.id } })),
      200,
    );
    expect(members.items).toEqual([
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
    const mine = bodyOf(await signIn(p.email, p.password), 200).token;
    expect((await me(stolen)).status).toBe(200);
    expect(await statusOf(client(mine).v1.auth["sign-out-everywhere"].$post())).toBe(204);
    expect((await me(stolen)).status).toBe(401);
    expect(await statusOf(client(stolen).v1.businesses.$get({ query: {} }))).toBe(401);
    expect((await me(mine)).status).toBe(401);
  });

  it("rotates a session: the old token stops, the new one works; sign-out ends it", async () => {
    const ws = await workspace();
    const p = await person(ws.id, "viewer");
    const rotated = await send(client(p.session).v1.auth.rotate.$post());
    expectStatus(rotated, 200);
    expect((await me(p.session)).status).toBe(401);
    const next = rotated.json.token;
    expect((await me(next)).status).toBe(200);
    expect(await statusOf(client(next).v1.auth["sign-out"].$post())).toBe(204);
    expect((await me(next)).status).toBe(401);
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
    const members = bodyOf(
      await send(api.v1.workspaces[":id"].members.$get({ param: { id: ws.id } })),
      200,
    ).items;
    const mine = members.find((m) => m.email === owner.email);
    expect(mine?.id).toBe(owner.memberId);
    const member = client(owner.session).v1.workspaces[":id"].members[":memberId"];
    const param = { id: ws.id, memberId: mine?.id ?? "" };
    expect(await statusOf(member.$delete({ param }))).toBe(409);
    const demote = await send(member.$patch({ param, json: { role: "admin" } }));
    expect(demote.status).toBe(409);
    await person(ws.id, "owner", { token: owner.session });
    expect((await send(member.$patch({ param, json: { role: "admin" } }))).status).toBe(200);
  });

  it("lets an admin manage editors and viewers but not owners", async () => {
    const ws = await workspace();
    const owner = await person(ws.id, "owner");
    const admin = await person(ws.id, "admin");
    const viewer = await person(ws.id, "viewer", { token: admin.session });
    const members = client(admin.session).v1.workspaces[":id"].members;
    const ownerParam = { id: ws.id, memberId: owner.memberId };
    expect(await statusOf(members[":memberId"].$delete({ param: ownerParam }))).toBe(403);
    const grant = await send(
      members.$post({
        param: { id: ws.id },
        json: { email: `o.${Date.now()}@example.com`, role: "owner" },
      }),
    );
    expect(grant.status).toBe(403);
    const viewerParam = { id: ws.id, memberId: viewer.memberId };
    const promoted = await send(
      members[":memberId"].$patch({ param: viewerParam, json: { role: "editor" } }),
    );
    expect(bodyOf(promoted, 200).role).toBe("editor");
    expect(await statusOf(members[":memberId"].$delete({ param: viewerParam }))).toBe(204);
  });

  it("takes a removed member's access away at once, as if the workspace did not exist", async () => {
    const ws = await workspace();
    const biz = await createBusiness({ name: unique("Gone"), workspaceId: ws.id });
    const p = await person(ws.id, "editor");
    const theirs = client(p.session).v1.businesses;
    const param = { id: biz.id };
    expect(await statusOf(theirs[":id"].$get({ param }))).toBe(200);
    const removed = api.v1.workspaces[":id"].members[":memberId"].$delete({
      param: { id: ws.id, memberId: p.memberId },
    });
    expect(await statusOf(removed)).toBe(204);
    expect(await statusOf(theirs[":id"].$get({ param }))).toBe(404);
    expect(bodyOf(await send(theirs.$get({ query: {} })), 200).items).toEqual([]);
  });

  it("lets a viewer read but not change, with 403", async () => {
    const ws = await workspace();
    const biz = await createBusiness({ name: unique("Read only"), workspaceId: ws.id });
    const p = await person(ws.id, "viewer");
    const theirs = client(p.session).v1.businesses[":id"];
    const param = { id: biz.id };
    expect(await statusOf(theirs.$get({ param }))).toBe(200);
    const patch = await send(theirs.$patch({ param, json: { name: "x" } }));
    expect(patch.status).toBe(403);
    expect(problemOf(patch).detail).toContain("editor");
  });

  it("lets a person in several workspaces create a business only by naming one", async () => {
    const a = await workspace();
    const b = await workspace();
    const p = await person(a.id, "editor");
    const second = await send(
      api.v1.workspaces[":id"].members.$post({
        param: { id: b.id },
        json: { email: p.email, role: "viewer" },
      }),
    );
    const token = inviteToken(bodyOf(second, 201).inviteUrl);
    // Someone who has a password confirms it to accept.
    const wrong = await accept({ token, password: "not my password at all" });
    expect(wrong.status).toBe(422);
    const accepted = bodyOf(await accept({ token, password: p.password }), 200);
    expect(accepted.workspaces).toHaveLength(2);
    const businesses = client(accepted.token).v1.businesses;
    const unnamed = await send(businesses.$post({ json: { name: "x" } }));
    expect(unnamed.status).toBe(422);
    expect(problemOf(unnamed).errors?.[0]?.path).toBe("workspaceId");
    const inA = await send(businesses.$post({ json: { name: "x", workspaceId: a.id } }));
    expect(bodyOf(inA, 201).workspaceId).toBe(a.id);
    const inB = await send(businesses.$post({ json: { name: "x", workspaceId: b.id } }));
    expect(inB.status).toBe(403);
  });
});
