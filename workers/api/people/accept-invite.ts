import { createRoute } from "@hono/zod-openapi";
import { AcceptInvite, SessionCreated } from "../../../schema/contracts/teams";
import { acceptInvitation } from "../../definitions/members";
import type { Handler } from "../context";
import { jsonBody, jsonResponse, problems } from "../openapi";
import { signedIn } from "./service";

export const route = createRoute({
  method: "post",
  path: "/accept-invite",
  tags: ["People"],
  summary: "Use a one-time invitation: set (or confirm) the password and sign in",
  request: { body: jsonBody(AcceptInvite) },
  responses: {
    200: jsonResponse(SessionCreated, "The new session"),
    ...problems(400, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { token, password } = c.req.valid("json");
  const { userId } = await acceptInvitation(c.var.db, token, password);
  return c.json(await signedIn(c.var.db, userId), 200);
};
