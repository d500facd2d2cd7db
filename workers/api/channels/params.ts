import { Channel } from "../../../schema/contracts/channels";
import { BusinessParams } from "../businesses/get";
import { itemRoutes } from "../items";
import { manage } from "../routes";

/** A business's channels: `/{id}/channels` and `/{id}/channels/{channelId}`. */
export const channels = itemRoutes(manage.Channels, {
  ...{ collection: "/{id}/channels", owner: BusinessParams, schema: Channel, name: "channel" },
  ...{ id: "channelId", example: "chn_01jz8k3m2qabcdefghjkmnpq" },
});
export const ChannelParams = channels.params;
