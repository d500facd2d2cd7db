import { getBusiness } from "../../definitions/businesses";
import { listChannels, toChannel } from "../../definitions/channels";
import { onePage } from "../openapi";
import { channels } from "./params";

export default channels
  .list("List a business's channels (secrets are never shown again)", "ChannelList")
  .answer(async ({ param }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return onePage((await listChannels(c.var.db, business.id)).map(toChannel));
  });
