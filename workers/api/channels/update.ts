import { Channel, ChannelPatch } from "../../../schema/contracts/channels";
import { manage } from "../routes";
import { ChannelParams } from "./params";
import { updateChannel } from "./service";

export default manage
  .Channels(
    "patch",
    "/{id}/channels/{channelId}",
    "Change a channel (target, severities, re-notify interval, enabled)",
  )
  .input({ params: ChannelParams, body: ChannelPatch })
  .json(200, Channel, "The changed channel")
  .answer(({ param, json }, c) => updateChannel(c.env, c.var.db, param.id, param.channelId, json));
