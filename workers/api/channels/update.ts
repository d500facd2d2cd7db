import { ChannelPatch } from "../../../schema/contracts/channels";
import { channels } from "./params";
import { updateChannel } from "./service";

export default channels
  .update("Change a channel (target, severities, re-notify interval, enabled)", ChannelPatch)
  .answer(({ param, json }, c) => updateChannel(c.env, c.var.db, param.id, param.channelId, json));
