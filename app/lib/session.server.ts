import { createCookie, redirect } from "react-router";

/**
 * The admin token lives only in an HttpOnly, Secure, SameSite=Lax cookie: client
 * JavaScript never sees it, and other sites cannot post forms with it.
 */
const tokenCookie = privateCookie("anom_session", 60 * 60 * 24 * 7);

/** A cookie only the server reads: HttpOnly, Secure, SameSite=Lax, for the whole site. */
export function privateCookie(name: string, maxAge: number) {
  return createCookie(name, { httpOnly: true, secure: true, sameSite: "lax", path: "/", maxAge });
}

export async function readToken(request: Request): Promise<string | undefined> {
  const value = await tokenCookie.parse(request.headers.get("cookie"));
  return typeof value === "string" && value ? value : undefined;
}

/** The signed-in token, or a redirect to the sign-in page. */
export async function requireToken(request: Request): Promise<string> {
  const token = await readToken(request);
  if (!token) {
    const url = new URL(request.url);
    throw redirect(`/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return token;
}

export const setToken = (token: string) => tokenCookie.serialize(token);

/** `next` when it is a path of this site, else the dashboard: never an open redirect. */
export function localPath(next: FormDataEntryValue | null): string {
  const path = String(next ?? "/");
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

/** Signed in: the token into the session cookie, then on to `next` (a path of this site). */
export async function signedIn(token: string, next: FormDataEntryValue | null = "/") {
  return redirect(localPath(next), { headers: { "set-cookie": await setToken(token) } });
}

/** The loader of a page for signing in: someone signed in already goes to the dashboard. */
export async function signedOutOnly({ request }: { request: Request }) {
  if (await readToken(request)) throw redirect("/");
  return null;
}
export const clearToken = () => tokenCookie.serialize("", { maxAge: 0 });

/** Forms post only from this origin (SameSite already keeps other sites' posts cookieless). */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin && origin !== new URL(request.url).origin) {
    throw new Response("Cross-site form posts are refused.", { status: 403 });
  }
}
