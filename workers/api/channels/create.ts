import { ChannelCreate, ChannelCreated } from "../../../schema/contracts/channels";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { createChannel } from "./service";

export default manage
  .Channels(
    "post",
    "/{id}/channels",
    "Add a notification channel: a signed webhook, Slack, or email",
  )
  .describe(
    "A webhook channel answers with its signing `secret` (`whsec_…`) once. Outside local development, URLs on private, loopback or link-local addresses are refused.",
  )
  .input({ params: BusinessParams, body: ChannelCreate })
  .json(201, ChannelCreated, "The channel")
  .answer(({ param, json }, c) => createChannel(c.env, c.var.db, param.id, json));
