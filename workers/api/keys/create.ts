import { createRoute } from "@hono/zod-openapi";
import { ApiKeyCreated, KeyCreate } from "../../../schema/contracts/teams";
import { createKey } from "../../definitions/keys";
import { actorOf } from "../../definitions/principal";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";

export const route = createRoute({
  method: "post",
  path: "/{id}/keys",
  tags: ["Teams"],
  summary: "Create an API key with a role (its token is shown only once)",
  security: adminSecurity,
  request: { params: WorkspaceParams, body: jsonBody(KeyCreate) },
  responses: {
    201: jsonResponse(ApiKeyCreated, "The key with its token"),
    ...problems(400, 401, 403, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { workspaceId } = workspaceContext(c);
  const by = actorOf(c.var.principal).name;
  return c.json(await createKey(c.var.db, workspaceId, c.req.valid("json"), by), 201);
};
