import { ChannelCreate, ChannelCreated } from "../../../schema/contracts/channels";
import { createChannel } from "../../definitions/channels";
import { channels } from "./params";

export default channels
  .create(
    "Add a notification channel: a signed webhook, Slack, or email",
    ChannelCreate,
    ChannelCreated,
  )
  .describe(
    "A webhook channel answers with its signing `secret` (`whsec_…`) once. Outside local development, URLs on private, loopback or link-local addresses are refused.",
  )
  .answer(({ param, json }, c) => createChannel(c.env, c.var.db, param.id, json));
