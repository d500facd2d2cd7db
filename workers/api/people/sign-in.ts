import { createRoute } from "@hono/zod-openapi";
import { SessionCreated, SignIn } from "../../../schema/contracts/teams";
import { checkPassword } from "../../definitions/people";
import { unauthorized } from "../../lib/errors";
import type { Handler } from "../context";
import { jsonBody, jsonResponse, problems } from "../openapi";
import { signedIn } from "./service";

export const route = createRoute({
  method: "post",
  path: "/sign-in",
  tags: ["People"],
  summary: "Sign in with email and password: a new session token",
  description:
    "Failed attempts are throttled per email and per client address (429 with Retry-After).",
  request: { body: jsonBody(SignIn) },
  responses: {
    200: jsonResponse(SessionCreated, "The session"),
    ...problems(400, 401, 422, 429),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { email, password } = c.req.valid("json");
  const address = c.req.header("cf-connecting-ip") ?? "unknown";
  const user = await checkPassword(c.var.db, email, password, address);
  if (!user) throw unauthorized("The email or password is wrong.");
  return c.json(await signedIn(c.var.db, user.id), 200);
};
