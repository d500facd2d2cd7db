import { createRoute } from "@hono/zod-openapi";
import { Channel } from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import { getChannelRow, toChannel } from "../../definitions/channels";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";
import { ChannelParams } from "./params";

export const route = createRoute({
  method: "get",
  path: "/{id}/channels/{channelId}",
  tags: ["Channels"],
  summary: "One channel (its secret is never shown again)",
  security: adminSecurity,
  request: { params: ChannelParams },
  responses: { 200: jsonResponse(Channel, "The channel"), ...problems(401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, channelId } = c.req.valid("param");
  await getBusiness(c.var.db, id);
  return c.json(toChannel(await getChannelRow(c.var.db, id, channelId)), 200);
};
