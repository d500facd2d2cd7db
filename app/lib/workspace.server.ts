import { privateCookie } from "./session.server";

/**
 * The workspace the person is looking at (the switcher in the navigation): the
 * dashboard and the alert list show only its businesses. No cookie: every
 * workspace the person belongs to.
 */
const workspaceCookie = privateCookie("anom_workspace", 60 * 60 * 24 * 365);

export async function chosenWorkspace(request: Request): Promise<string | undefined> {
  const value = await workspaceCookie.parse(request.headers.get("cookie"));
  return typeof value === "string" && value ? value : undefined;
}

/** The cookie that shows one workspace, or (for "") every one again. */
export const chooseWorkspace = (id: string) =>
  id ? workspaceCookie.serialize(id) : workspaceCookie.serialize("", { maxAge: 0 });
