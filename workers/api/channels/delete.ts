import { removeChannel } from "../../definitions/channels";
import { manage } from "../openapi";
import { ChannelParams } from "./params";

export default manage
  .Channels("delete", "/{id}/channels/{channelId}", "Remove a channel")
  .input({ params: ChannelParams })
  .empty(204, "Removed")
  .handle(async (c) => {
    const { id, channelId } = c.req.valid("param");
    await removeChannel(c.env, c.var.db, id, channelId);
    return c.body(null, 204);
  });
