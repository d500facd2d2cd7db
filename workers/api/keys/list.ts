import { createRoute, z } from "@hono/zod-openapi";
import { ApiKey } from "../../../schema/contracts/teams";
import { listKeys } from "../../definitions/keys";
import { workspaceContext } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { WorkspaceParams } from "../workspaces/params";

export const route = createRoute({
  method: "get",
  path: "/{id}/keys",
  tags: ["Teams"],
  summary: "The workspace's API keys (never their tokens), newest first",
  security: adminSecurity,
  request: { params: WorkspaceParams },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(ApiKey), nextCursor: z.string().nullable() }).openapi("ApiKeyList"),
      "Keys",
    ),
    ...problems(401, 403, 404),
  },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(
    { items: await listKeys(c.var.db, workspaceContext(c).workspaceId), nextCursor: null },
    200,
  );
