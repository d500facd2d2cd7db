import type { InferRequestType } from "hono/client";
import { api, client, send } from "../helpers";

let counter = 0;
export const unique = (label: string) => `${label} ${Date.now().toString(36)}-${++counter}`;

/** A new workspace, made by the instance owner (admin token). */
export async function workspace(name = unique("Team")) {
  const res = await send(api.v1.workspaces.$post({ json: { name } }));
  if (res.status !== 201) throw new Error(`workspace: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** An API key as POST /v1/workspaces/{id}/keys takes it. */
type KeyCreate = InferRequestType<(typeof api.v1.workspaces)[":id"]["keys"]["$post"]>["json"];

/** An API key of a workspace with a role; its token. */
export async function key(
  workspaceId: string,
  role: "admin" | "editor" | "viewer",
  extra: Partial<KeyCreate> = {},
) {
  const res = await send(
    api.v1.workspaces[":id"].keys.$post({
      param: { id: workspaceId },
      json: { name: unique(role), role, ...extra },
    }),
  );
  if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** Invites an email with a role (as the instance owner unless `token`) and accepts the invitation. */
export async function person(
  workspaceId: string,
  role: "owner" | "admin" | "editor" | "viewer",
  options: { email?: string; password?: string; token?: string } = {},
) {
  const email = options.email ?? `${unique("p").replace(/\W/g, "")}@example.com`;
  const password = options.password ?? "correct horse battery staple";
  const invited = await send(
    client(options.token).v1.workspaces[":id"].members.$post({
      param: { id: workspaceId },
      json: { email, role },
    }),
  );
  if (invited.status !== 201)
    throw new Error(`invite: ${invited.status} ${JSON.stringify(invited.json)}`);
  const inviteToken = invited.json.inviteUrl.split("/invite/")[1] ?? "";
  const accepted = await send(
    client(null).v1.auth["accept-invite"].$post({ json: { token: inviteToken, password } }),
  );
  if (accepted.status !== 200)
    throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.json)}`);
  return { email, password, memberId: invited.json.id, session: accepted.json.token };
}

export function signIn(email: string, password: string, address = "203.0.113.7") {
  return send(
    client(null, { "cf-connecting-ip": address }).v1.auth["sign-in"].$post({
      json: { email, password },
    }),
  );
}
