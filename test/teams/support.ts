import { call } from "../helpers";

let counter = 0;
export const unique = (label: string) => `${label} ${Date.now().toString(36)}-${++counter}`;

/** A new workspace, made by the instance owner (admin token). */
export async function workspace(name = unique("Team")) {
  const res = await call("POST", "/v1/workspaces", { body: { name } });
  if (res.status !== 201) throw new Error(`workspace: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string; name: string };
}

/** An API key of a workspace with a role; its token. */
export async function key(workspaceId: string, role: "admin" | "editor" | "viewer", extra = {}) {
  const res = await call("POST", `/v1/workspaces/${workspaceId}/keys`, {
    body: { name: unique(role), role, ...extra },
  });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json as { id: string; token: string };
}

/** Invites an email with a role (as the instance owner unless `token`) and accepts the invitation. */
export async function person(
  workspaceId: string,
  role: "owner" | "admin" | "editor" | "viewer",
  options: { email?: string; password?: string; token?: string } = {},
) {
  const email = options.email ?? `${unique("p").replace(/\W/g, "")}@example.com`;
  const password = options.password ?? "correct horse battery staple";
  const invited = await call("POST", `/v1/workspaces/${workspaceId}/members`, {
    body: { email, role },
    token: options.token,
  });
  if (invited.status !== 201)
    throw new Error(`invite: ${invited.status} ${JSON.stringify(invited.json)}`);
  const inviteToken = String(invited.json.inviteUrl).split("/invite/")[1];
  const accepted = await call("POST", "/v1/auth/accept-invite", {
    token: null,
    body: { token: inviteToken, password },
  });
  if (accepted.status !== 200)
    throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  return {
    email,
    password,
    memberId: invited.json.id as string,
    session: accepted.json.token as string,
  };
}

export function signIn(email: string, password: string, address = "203.0.113.7") {
  return call("POST", "/v1/auth/sign-in", {
    token: null,
    body: { email, password },
    headers: { "cf-connecting-ip": address },
  });
}
