import { createRoute } from "@hono/zod-openapi";
import { removeChannel } from "../../definitions/channels";
import type { Handler } from "../context";
import { adminSecurity, problems } from "../openapi";
import { ChannelParams } from "./params";

export const route = createRoute({
  method: "delete",
  path: "/{id}/channels/{channelId}",
  tags: ["Channels"],
  summary: "Remove a channel",
  security: adminSecurity,
  request: { params: ChannelParams },
  responses: { 204: { description: "Removed" }, ...problems(401, 404) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, channelId } = c.req.valid("param");
  await removeChannel(c.env, c.var.db, id, channelId);
  return c.body(null, 204);
};
