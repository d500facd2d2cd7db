import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
  ChannelType,
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

/** Refuses channel URLs that reach into a private network (unless allowed for local development). */
async function checkUrl(
  env: { ALLOW_PRIVATE_TARGETS?: string; DOH_URL?: string },
  url: string,
): Promise<void> {
  const verdict = await checkTarget(env, url);
  if (!verdict.ok) throw invalid("url", verdict.reason);
}

/** The fields of some types only, for telling a PATCH what does not fit its channel. */
const own: Record<string, readonly ChannelType[]> = {
  url: ["webhook", "slack", "pagerduty", "teams", "ntfy", "alertmanager"],
  to: ["email"],
  routingKey: ["pagerduty"],
  topic: ["ntfy"],
  token: ["ntfy", "alertmanager"],
};

export async function createChannel(
  env: Env,
  db: Database,
  businessId: string,
  input: ChannelCreate,
): Promise<ChannelCreated> {
  await getBusiness(db, businessId);
  if ("url" in input && input.url !== undefined) await checkUrl(env, input.url);
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
  for (const [key, types] of Object.entries(own)) {
    if (patch[key as keyof ChannelPatch] !== undefined && !types.includes(row.type)) {
      throw invalid(key, `a ${row.type} channel has no \`${key}\``);
    }
  }
  if (patch.url !== undefined) await checkUrl(env, patch.url);
  return saveChannel(env, db, businessId, channelId, patch);
}
