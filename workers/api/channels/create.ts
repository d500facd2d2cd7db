import { createRoute } from "@hono/zod-openapi";
import { ChannelCreate, ChannelCreated } from "../../../schema/contracts/channels";
import { BusinessParams } from "../businesses/get";
import type { Handler } from "../context";
import { adminSecurity, jsonBody, jsonResponse, problems } from "../openapi";
import { createChannel } from "./service";

export const route = createRoute({
  method: "post",
  path: "/{id}/channels",
  tags: ["Channels"],
  summary: "Add a notification channel: a signed webhook, Slack, or email",
  description:
    "A webhook channel answers with its signing `secret` (`whsec_…`) once. Outside local development, URLs on private, loopback or link-local addresses are refused.",
  security: adminSecurity,
  request: { params: BusinessParams, body: jsonBody(ChannelCreate) },
  responses: { 201: jsonResponse(ChannelCreated, "The channel"), ...problems(400, 401, 404, 422) },
});

export const handler: Handler<typeof route> = async (c) =>
  c.json(await createChannel(c.env, c.var.db, c.req.valid("param").id, c.req.valid("json")), 201);
