import { createMiddleware } from "hono/factory";
import { secretsEqual } from "../lib/crypto";
import { unauthorized } from "../lib/errors";
import type { AppEnv } from "./context";

export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** Management routes need the admin token, compared in constant time. */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) throw unauthorized("The server has no ADMIN_TOKEN configured.");
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw unauthorized("Send the admin token as 'Authorization: Bearer <token>'.");
  if (!(await secretsEqual(token, expected))) throw unauthorized("The admin token is not valid.");
  await next();
});
