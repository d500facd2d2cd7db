import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
} from "../../../schema/contracts/channels";
import { getBusiness } from "../../definitions/businesses";
import {
  getChannelRow,
  insertChannel,
  updateChannel as saveChannel,
} from "../../definitions/channels";
import type { Database } from "../../lib/db";
import { invalid } from "../../lib/errors";
import { checkTarget } from "../../lib/net";

/** Refuses webhook and Slack URLs that reach into a private network (unless allowed for local development). */
async function checkUrl(
  env: { ALLOW_PRIVATE_TARGETS?: string; DOH_URL?: string },
  url: string,
): Promise<void> {
  const verdict = await checkTarget(env, url);
  if (!verdict.ok) throw invalid("url", verdict.reason);
}

export async function createChannel(
  env: Env,
  db: Database,
  businessId: string,
  input: ChannelCreate,
): Promise<ChannelCreated> {
  await getBusiness(db, businessId);
  if (input.type !== "email") await checkUrl(env, input.url);
  return insertChannel(env, db, businessId, input);
}

export async function updateChannel(
  env: Env,
  db: Database,
  businessId: string,
  channelId: string,
  patch: ChannelPatch,
): Promise<Channel> {
  const row = await getChannelRow(db, businessId, channelId);
  if (patch.url !== undefined) {
    if (row.type === "email") throw invalid("url", "an email channel has `to`, not `url`");
    await checkUrl(env, patch.url);
  }
  if (patch.to !== undefined && row.type !== "email")
    throw invalid("to", `a ${row.type} channel has \`url\`, not \`to\``);
  return saveChannel(env, db, businessId, channelId, patch);
}
