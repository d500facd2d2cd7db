import { removeChannel } from "../../definitions/channels";
import { channels } from "./params";

export default channels
  .remove("Remove a channel")
  .answer(({ param }, c) => removeChannel(c.env, c.var.db, param.id, param.channelId));
