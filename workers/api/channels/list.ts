import { Channel } from "../../../schema/contracts/channels";
import { listOf } from "../../../schema/contracts/common";
import { getBusiness } from "../../definitions/businesses";
import { listChannels, toChannel } from "../../definitions/channels";
import { BusinessParams } from "../businesses/get";
import { onePage } from "../openapi";
import { manage } from "../routes";

export default manage
  .Channels("get", "/{id}/channels", "List a business's channels (secrets are never shown again)")
  .input({ params: BusinessParams })
  .json(200, listOf(Channel, "ChannelList"), "The channels")
  .answer(async ({ param }, c) => {
    const business = await getBusiness(c.var.db, param.id);
    return onePage((await listChannels(c.var.db, business.id)).map(toChannel));
  });
