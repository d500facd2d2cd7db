import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
  ChannelTarget,
  ChannelType,
} from "../../schema/contracts/channels";
import { defaultChannelUrl } from "../../schema/contracts/channels";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { formatDuration, parseDuration } from "../lib/duration";
import { invalid } from "../lib/errors";
import { newId } from "../lib/ids";
import { checkTarget } from "../lib/net";
import { iso } from "../lib/time";
import { getBusiness } from "./businesses";
import { publish } from "./publish";
import { idsOfBusiness, removeFromBusiness, rowIs, rowOfBusiness, rowsOfBusiness } from "./rows";

const { channels } = tables;
export type ChannelRow = typeof channels.$inferSelect;

/** Grouping defaults (see docs/notifications.md): a storm becomes one message, a lone alert is not delayed. */
export const DEFAULT_GROUP_WAIT_MS = 30_000;
export const DEFAULT_GROUP_INTERVAL_MS = 300_000;

export const groupWaitMs = (row: ChannelRow) =>
  row.groupWaitSeconds === null ? DEFAULT_GROUP_WAIT_MS : row.groupWaitSeconds * 1000;
export const groupIntervalMs = (row: ChannelRow) =>
  row.groupIntervalSeconds === null ? DEFAULT_GROUP_INTERVAL_MS : row.groupIntervalSeconds * 1000;

const durationText = (ms: number) => (ms === 0 ? "0s" : formatDuration(ms));
/** `0s` (off) or a positive duration, in seconds. */
const seconds = (text: string) => (parseDuration(text) ?? 0) / 1000;
const channelIs = (businessId: string, channelId: string) => rowIs(channels, businessId, channelId);

export function toChannel(row: ChannelRow): Channel {
  const target = row.target as ChannelTarget;
  const fallback = defaultChannelUrl(row.type);
  return {
    id: row.id,
    businessId: row.businessId,
    type: row.type,
    name: row.name,
    ...target,
    ...(target.url === undefined && fallback ? { url: fallback } : {}),
    severities: (row.severities as Channel["severities"]) ?? null,
    renotifyAfter: row.renotifySeconds ? formatDuration(row.renotifySeconds * 1000) : null,
    groupWait: durationText(groupWaitMs(row)),
    groupInterval: durationText(groupIntervalMs(row)),
    enabled: row.enabled,
    createdAt: iso(row.createdAt),
  };
}

export async function listChannels(db: Database, businessId: string): Promise<ChannelRow[]> {
  return rowsOfBusiness(db, channels, businessId);
}

export const getChannelRow = (db: Database, businessId: string, channelId: string) =>
  rowOfBusiness(db, channels, "Channel", businessId, channelId);

export async function channelIds(db: Database, businessId: string): Promise<Set<string>> {
  return idsOfBusiness(db, channels, businessId);
}

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

/** Adds a channel to a business, after checking its URL, and publishes the definition. */
export async function createChannel(
  env: Env,
  db: Database,
  businessId: string,
  input: ChannelCreate,
): Promise<ChannelCreated> {
  await getBusiness(db, businessId);
  if ("url" in input && input.url !== undefined) await checkUrl(env, input.url);
  const at = Date.now();
  const row: ChannelRow = {
    id: newId("chn", at),
    businessId,
    type: input.type,
    name: input.name ?? defaultName(input),
    target: targetOf(input),
    secret: secretOf(input),
    severities: input.severities ?? null,
    renotifySeconds: input.renotifyAfter ? seconds(input.renotifyAfter) : null,
    groupWaitSeconds: input.groupWait === undefined ? null : seconds(input.groupWait),
    groupIntervalSeconds: input.groupInterval === undefined ? null : seconds(input.groupInterval),
    enabled: input.enabled,
    createdAt: at,
  };
  await publish(env, db, businessId, [db.insert(channels).values(row)]);
  return input.type === "webhook" && row.secret
    ? { ...toChannel(row), secret: row.secret }
    : toChannel(row);
}

function targetOf(input: ChannelCreate): ChannelTarget {
  switch (input.type) {
    case "email":
      return { to: input.to };
    case "ntfy":
      return { topic: input.topic, ...(input.url ? { url: input.url } : {}) };
    case "pagerduty":
      return input.url ? { url: input.url } : {};
    default:
      return { url: input.url };
  }
}

/** What the channel authenticates with: kept readable to send, never shown again (a webhook's once). */
function secretOf(input: ChannelCreate): string | null {
  switch (input.type) {
    case "webhook":
      // Standard Webhooks secrets: `whsec_` and base64 of 24 random bytes.
      return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`;
    case "pagerduty":
      return input.routingKey;
    case "ntfy":
    case "alertmanager":
      return input.token ?? null;
    default:
      return null;
  }
}

function defaultName(input: ChannelCreate): string {
  switch (input.type) {
    case "email":
      return input.to;
    case "ntfy":
      return input.topic;
    case "pagerduty":
      return input.url ? new URL(input.url).hostname : "PagerDuty";
    default:
      return new URL(input.url).hostname;
  }
}

/**
 * Applies a patch to a channel (its type stays; fields of other types and
 * private URLs are refused) and publishes the definition.
 */
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
  const set: Partial<ChannelRow> = {};
  if (patch.url !== undefined || patch.to !== undefined || patch.topic !== undefined) {
    const target = { ...(row.target as ChannelTarget) };
    if (patch.url !== undefined) target.url = patch.url;
    if (patch.to !== undefined) target.to = patch.to;
    if (patch.topic !== undefined) target.topic = patch.topic;
    set.target = target;
  }
  if (patch.routingKey !== undefined) set.secret = patch.routingKey;
  if (patch.token !== undefined) set.secret = patch.token;
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.severities !== undefined) set.severities = patch.severities;
  if (patch.renotifyAfter !== undefined)
    set.renotifySeconds = patch.renotifyAfter === null ? null : seconds(patch.renotifyAfter);
  if (patch.groupWait !== undefined)
    set.groupWaitSeconds = patch.groupWait === null ? null : seconds(patch.groupWait);
  if (patch.groupInterval !== undefined)
    set.groupIntervalSeconds = patch.groupInterval === null ? null : seconds(patch.groupInterval);
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  await publish(env, db, businessId, [
    db.update(channels).set(set).where(channelIs(businessId, channelId)),
  ]);
  return toChannel(await getChannelRow(db, businessId, channelId));
}

export const removeChannel = (env: Env, db: Database, businessId: string, channelId: string) =>
  removeFromBusiness(env, db, channels, "Channel", businessId, channelId);
