import { ChannelTestRequest, ChannelTestResult } from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import { getChannelRow } from "../../definitions/channels";
import { sendTest } from "../../notify/test";
import { manage } from "../routes";
import { ChannelParams } from "./params";

export default manage
  .Channels("post", "/{id}/channels/{channelId}/test", "Send a test notification now")
  .describe(
    "Sends a made-up alert (`alt_test_{channelId}`) through the channel's own provider, at once and once, and answers how the endpoint took it; the attempt is in the delivery log too. A disabled channel can be tested. The body is optional.",
  )
  .input({ params: ChannelParams, optionalBody: ChannelTestRequest })
  .json(200, ChannelTestResult, "What the endpoint answered")
  .handle(async (c) => {
    const { id, channelId } = c.req.valid("param");
    const business = await getBusiness(c.var.db, id);
    const channel = await getChannelRow(c.var.db, id, channelId);
    const input = ChannelTestRequest.parse(c.req.valid("json") ?? {});
    return c.json(await sendTest(c.env, c.var.db, business, channel, input), 200);
  });
