import { getBusiness } from "../../definitions/businesses";
import { getChannelRow, toChannel } from "../../definitions/channels";
import { channels } from "./params";

export default channels
  .get("One channel (its secret is never shown again)")
  .problems(422)
  .answer(async ({ param }, c) => {
    await getBusiness(c.var.db, param.id);
    return toChannel(await getChannelRow(c.var.db, param.id, param.channelId));
  });
