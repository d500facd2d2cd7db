import { Channel } from "../../../schema/contracts/channels";
import { listOf } from "../../../schema/contracts/common";
import { getBusiness } from "../../definitions/businesses";
import { listChannels, toChannel } from "../../definitions/channels";
import { BusinessParams } from "../businesses/get";
import { manage } from "../openapi";

export default manage
  .Channels("get", "/{id}/channels", "List a business's channels (secrets are never shown again)")
  .input({ params: BusinessParams })
  .json(200, listOf(Channel, "ChannelList"), "The channels")
  .handle(async (c) => {
    const business = await getBusiness(c.var.db, c.req.valid("param").id);
    return c.json(
      { items: (await listChannels(c.var.db, business.id)).map(toChannel), nextCursor: null },
      200,
    );
  });
