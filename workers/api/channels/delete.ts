import { removeChannel } from "../../definitions/channels";
import { manage } from "../routes";
import { ChannelParams } from "./params";

export default manage
  .Channels("delete", "/{id}/channels/{channelId}", "Remove a channel")
  .input({ params: ChannelParams })
  .empty(204, "Removed")
  .answer(({ param }, c) => removeChannel(c.env, c.var.db, param.id, param.channelId));
