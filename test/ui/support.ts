import { SELF } from "cloudflare:test";
import { setToken } from "../../app/lib/session.server";
import { ADMIN } from "../helpers";

/** The UI's loaders and actions, called as React Router calls them, against the real API worker. */
export const origin = "https://ui.test";

export function uiContext(vars: Record<string, string> = {}) {
  return {
    cloudflare: {
      env: { API: { fetch: (req: Request) => SELF.fetch(req) }, ASSETS: SELF, ...vars },
      ctx: {},
    },
  } as never;
}

async function cookie(token = ADMIN): Promise<string> {
  return (await setToken(token)).split(";")[0] ?? "";
}

export async function uiGet(path: string) {
  return new Request(origin + path, { headers: { cookie: await cookie() } });
}

export async function uiPost(path: string, fields: Record<string, string>, from = origin) {
  return new Request(origin + path, {
    method: "POST",
    headers: { cookie: await cookie(), origin: from },
    body: new URLSearchParams(fields),
  });
}
