import { createRoute } from "@hono/zod-openapi";
import { Channel, ChannelPatch } from "../../../schema/contracts/channels";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { ChannelParams } from "./params";
import { updateChannel } from "./service";

export const route = createRoute({
  method: "patch",
  path: "/{id}/channels/{channelId}",
  tags: ["Channels"],
  summary: "Change a channel (target, severities, re-notify interval, enabled)",
  security: adminSecurity,
  request: { params: ChannelParams, body: jsonBody(ChannelPatch) },
  responses: { 200: jsonResponse(Channel, "The changed channel"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, channelId } = c.req.valid("param");
  return c.json(await updateChannel(c.env, c.var.db, id, channelId, c.req.valid("json")), 200);
};
