import { Channel } from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import { getChannelRow, toChannel } from "../../definitions/channels";
import { manage } from "../routes";
import { ChannelParams } from "./params";

export default manage
  .Channels("get", "/{id}/channels/{channelId}", "One channel (its secret is never shown again)")
  .input({ params: ChannelParams })
  .json(200, Channel, "The channel")
  .problems(422)
  .handle(async (c) => {
    const { id, channelId } = c.req.valid("param");
    await getBusiness(c.var.db, id);
    return c.json(toChannel(await getChannelRow(c.var.db, id, channelId)), 200);
  });
