import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readToken, setToken } from "../../app/lib/session.server";
import * as dashboard from "../../app/routes/dashboard";
import * as invite from "../../app/routes/invite";
import * as shell from "../../app/routes/shell";
import * as signIn from "../../app/routes/sign-in";
import * as audit from "../../app/routes/team-audit";
import * as keys from "../../app/routes/team-keys";
import * as members from "../../app/routes/team-members";
import * as switcher from "../../app/routes/workspace";
import { ADMIN, api, bodyOf, client, createBusiness, send, statusOf } from "../helpers";
import { key, person, workspace } from "../teams/support";

// The Team screens' loaders and actions, as React Router calls them, against the real API worker.
const origin = "https://ui.test";
const context = {
  cloudflare: { env: { API: { fetch: (req: Request) => SELF.fetch(req) }, ASSETS: SELF }, ctx: {} },
} as never;

async function cookieOf(token: string) {
  return (await setToken(token)).split(";")[0] ?? "";
}

async function form(path: string, fields: Record<string, string>, token?: string) {
  const headers: Record<string, string> = { origin };
  if (token) headers.cookie = await cookieOf(token);
  return new Request(origin + path, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
  });
}

async function page(path: string, token: string) {
  return new Request(origin + path, { headers: { cookie: await cookieOf(token) } });
}

describe("the Team screens", () => {
  it("accept an invitation and sign in with email and password into the HttpOnly cookie", async () => {
    const ws = await workspace();
    const invited = await send(
      api.v1.workspaces[":id"].members.$post({
        param: { id: ws.id },
        json: { email: `ui.${Date.now()}@example.com`, role: "editor" },
      }),
    );
    const member = bodyOf(invited, 201);
    const token = member.inviteUrl.split("/invite/")[1] ?? "";
    const password = "a password long enough";
    const joined = (await invite.action({
      request: await form(`/invite/${token}`, { password, again: password }),
      params: { token },
      context,
    } as never)) as Response;
    expect(joined.status).toBe(302);
    expect(joined.headers.get("set-cookie")).toContain("HttpOnly");

    const wrong = await signIn.action({
      request: await form("/sign-in", { email: member.email, password: "nope nope nope" }),
      params: {},
      context,
    } as never);
    expect(wrong).toEqual({ error: "The email or password is wrong." });
    const ok = (await signIn.action({
      request: await form("/sign-in", { email: member.email, password, next: "/team" }),
      params: {},
      context,
    } as never)) as Response;
    expect(ok.headers.get("location")).toBe("/team");
    const session = await readToken(
      new Request(origin, { headers: { cookie: ok.headers.get("set-cookie") ?? "" } }),
    );
    expect(session).toMatch(/^anoms_/);
  });

  it("give a viewer the member list without any edit control, and an admin the controls", async () => {
    const ws = await workspace();
    const viewer = await person(ws.id, "viewer");
    const admin = await person(ws.id, "admin");
    const asViewer = await members.loader({
      request: await page(`/team/${ws.id}/members`, viewer.session),
      params: { id: ws.id },
      context,
    } as never);
    expect(asViewer.workspace.role).toBe("viewer");
    expect(asViewer.members.map((m) => m.email).sort()).toEqual([viewer.email, admin.email].sort());
    const invited = await members.action({
      request: await form(
        `/team/${ws.id}/members`,
        { intent: "invite", email: `new.${Date.now()}@example.com`, role: "editor" },
        admin.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(invited.inviteUrl).toContain("/invite/anomi_");
    // An address the API refuses comes back marked as the invitation's, so it shows at the email input.
    const misspelt = await members.action({
      request: await form(
        `/team/${ws.id}/members`,
        { intent: "invite", email: "not-an-address", role: "editor" },
        admin.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(misspelt).toMatchObject({ invite: true, errors: [{ path: "email" }] });
    const refused = await members.action({
      request: await form(
        `/team/${ws.id}/members`,
        { intent: "invite", email: `x.${Date.now()}@example.com`, role: "editor" },
        viewer.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(refused.errors[0]?.message).toContain("admin");
  });

  it("show a new key's token once, revoke it, and show both in the audit log", async () => {
    const ws = await workspace();
    const admin = await person(ws.id, "admin");
    const created = await keys.action({
      request: await form(
        `/team/${ws.id}/keys`,
        { intent: "create", name: "ci", role: "editor" },
        admin.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(created.token).toMatch(/^anomk_/);
    // A refused key comes back marked as the new-key form's, so it shows at its input.
    const unnamed = await keys.action({
      request: await form(
        `/team/${ws.id}/keys`,
        { intent: "create", name: "", role: "editor" },
        admin.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(unnamed).toMatchObject({ create: true, errors: [{ path: "name" }] });
    const token = created.token ?? "";
    expect(await statusOf(client(token).v1.businesses.$get({ query: {} }))).toBe(200);
    const listed = await keys.loader({
      request: await page(`/team/${ws.id}/keys`, admin.session),
      params: { id: ws.id },
      context,
    } as never);
    expect(JSON.stringify(listed)).not.toContain(token);
    const [key] = listed.keys;
    await keys.action({
      request: await form(
        `/team/${ws.id}/keys`,
        { intent: "revoke", keyId: key?.id ?? "" },
        admin.session,
      ),
      params: { id: ws.id },
      context,
    } as never);
    expect(await statusOf(client(token).v1.businesses.$get({ query: {} }))).toBe(401);
    const log = await audit.loader({
      request: await page(`/team/${ws.id}/audit?action=key.`, admin.session),
      params: { id: ws.id },
      context,
    } as never);
    expect(log.entries.map((e) => [e.action, e.actor.name])).toEqual([
      ["key.revoke", admin.email],
      ["key.create", admin.email],
    ]);
  });

  it("switch the workspace the dashboard shows, only to one of the person's own", async () => {
    const [a, b] = [await workspace(), await workspace()];
    const inA = await createBusiness({ workspaceId: a.id });
    const inB = await createBusiness({ workspaceId: b.id });
    const names = async (cookie: string) => {
      const request = new Request(`${origin}/`, { headers: { cookie } });
      const data = (await dashboard.loader({ request, params: {}, context } as never)) as {
        cards: { business: { id: string } }[];
      };
      return data.cards.map((c) => c.business.id);
    };
    const session = await cookieOf(ADMIN);
    const all = await names(session);
    expect(all).toEqual(expect.arrayContaining([inA.id, inB.id]));

    const chosen = (await switcher.action({
      request: await form("/workspace", { workspace: a.id, next: "/alerts" }, ADMIN),
      params: {},
      context,
    } as never)) as Response;
    expect(chosen.status).toBe(302);
    expect(chosen.headers.get("location")).toBe("/alerts");
    const choice = chosen.headers.get("set-cookie")?.split(";")[0] ?? "";
    const shown = await names(`${session}; ${choice}`);
    expect(shown).toContain(inA.id);
    expect(shown).not.toContain(inB.id);
    const frame = (await shell.loader({
      request: new Request(`${origin}/`, { headers: { cookie: `${session}; ${choice}` } }),
      params: {},
      context,
    } as never)) as { workspace: string };
    expect(frame.workspace).toBe(a.id);

    // A key of workspace B cannot choose A (it is not among its workspaces), nor leave the site.
    const bKey = await key(b.id, "viewer");
    const refused = (await switcher.action({
      request: await form("/workspace", { workspace: a.id, next: "//evil.example" }, bKey.token),
      params: {},
      context,
    } as never)) as Response;
    expect(refused.headers.get("location")).toBe("/");
    expect(refused.headers.get("set-cookie")).toMatch(/^anom_workspace=;.*Max-Age=0/);
  });
});
