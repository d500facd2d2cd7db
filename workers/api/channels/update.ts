import { ChannelPatch } from "../../../schema/contracts/channels";
import { updateChannel } from "../../definitions/channels";
import { channels } from "./params";

export default channels
  .update("Change a channel (target, severities, re-notify interval, enabled)", ChannelPatch)
  .answer(({ param, json }, c) => updateChannel(c.env, c.var.db, param.id, param.channelId, json));
