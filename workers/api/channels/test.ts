import { createRoute } from "@hono/zod-openapi";
import { ChannelTestRequest, ChannelTestResult } from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import { getChannelRow } from "../../definitions/channels";
import { sendTest } from "../../notify/test";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { ChannelParams } from "./params";

export const route = createRoute({
  method: "post",
  path: "/{id}/channels/{channelId}/test",
  tags: ["Channels"],
  summary: "Send a test notification now",
  description:
    "Sends a made-up alert (`alt_test_{channelId}`) through the channel's own provider, at once and once, and answers how the endpoint took it; the attempt is in the delivery log too. A disabled channel can be tested. The body is optional.",
  security: adminSecurity,
  request: {
    params: ChannelParams,
    body: { ...jsonBody(ChannelTestRequest), required: false },
  },
  responses: {
    200: jsonResponse(ChannelTestResult, "What the endpoint answered"),
    ...problems(401, 404, 422),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const { id, channelId } = c.req.valid("param");
  const business = await getBusiness(c.var.db, id);
  const channel = await getChannelRow(c.var.db, id, channelId);
  const input = ChannelTestRequest.parse(c.req.valid("json") ?? {});
  return c.json(await sendTest(c.env, c.var.db, business, channel, input), 200);
};
