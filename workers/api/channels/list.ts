import { createRoute } from "@hono/zod-openapi";
import { Channel } from "../../../schema/contracts/channels";
import { listOf } from "../../../schema/contracts/common";
import { getBusiness } from "../../definitions/businesses";
import { listChannels, toChannel } from "../../definitions/channels";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

export const route = createRoute({
  method: "get",
  path: "/{id}/channels",
  tags: ["Channels"],
  summary: "List a business's channels (secrets are never shown again)",
  security: adminSecurity,
  request: { params: BusinessParams },
  responses: {
    200: jsonResponse(listOf(Channel, "ChannelList"), "The channels"),
    ...problems(401, 404),
  },
});

export const handler: Handler<typeof route> = async (c) => {
  const business = await getBusiness(c.var.db, c.req.valid("param").id);
  return c.json(
    { items: (await listChannels(c.var.db, business.id)).map(toChannel), nextCursor: null },
    200,
  );
};
