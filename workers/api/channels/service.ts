import { and, asc, eq } from "drizzle-orm";
import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
  ChannelType,
} from "../../../schema/contracts/channels";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { formatDuration, parseDuration } from "../../lib/duration";
import { invalid, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { checkTarget } from "../../lib/net";
import { iso } from "../../lib/time";
import type { ChannelTarget } from "../../notify/providers";
import { providers } from "../../notify/providers";
import { applyDefinition, bumpVersion, getBusiness } from "../businesses/service";

const { channels } = tables;
export type ChannelRow = typeof channels.$inferSelect;

export function toChannel(row: ChannelRow): Channel {
  const target = row.target as ChannelTarget;
  const fallback = providers[row.type].defaultUrl;
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

/** Refuses channel URLs that reach into a private network (unless allowed for local development). */
async function checkUrl(
  env: { ALLOW_PRIVATE_TARGETS?: string; DOH_URL?: string },
  url: string,
): Promise<void> {
  const verdict = await checkTarget(env, url);
  if (!verdict.ok) throw invalid("url", verdict.reason);
}

export async function listChannels(db: Database, businessId: string): Promise<ChannelRow[]> {
  return db
    .select()
    .from(channels)
    .where(eq(channels.businessId, businessId))
    .orderBy(asc(channels.id));
}

export async function getChannelRow(
  db: Database,
  businessId: string,
  channelId: string,
): Promise<ChannelRow> {
  const row = (
    await db
      .select()
      .from(channels)
      .where(and(eq(channels.businessId, businessId), eq(channels.id, channelId)))
  )[0];
  if (!row) throw notFound("Channel", channelId);
  return row;
}

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
    renotifySeconds: input.renotifyAfter ? (parseDuration(input.renotifyAfter) ?? 0) / 1000 : null,
    groupWaitSeconds: input.groupWait === undefined ? null : seconds(input.groupWait),
    groupIntervalSeconds: input.groupInterval === undefined ? null : seconds(input.groupInterval),
    enabled: input.enabled,
    createdAt: at,
  };
  await db.batch([db.insert(channels).values(row), bumpVersion(db, businessId)]);
  await applyDefinition(env, businessId);
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

/** What the channel authenticates with; kept readable to send, never shown again (but a webhook's, once). */
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

/** The fields a type's channel has besides the common ones, for telling a PATCH what does not fit. */
const own: Record<string, readonly ChannelType[]> = {
  url: ["webhook", "slack", "pagerduty", "teams", "ntfy", "alertmanager"],
  to: ["email"],
  routingKey: ["pagerduty"],
  topic: ["ntfy"],
  token: ["ntfy", "alertmanager"],
};

export async function updateChannel(
  env: Env,
  db: Database,
  businessId: string,
  channelId: string,
  patch: ChannelPatch,
): Promise<Channel> {
  const row = await getChannelRow(db, businessId, channelId);
  const set: Partial<ChannelRow> = {};
  for (const [key, types] of Object.entries(own)) {
    if (patch[key as keyof ChannelPatch] !== undefined && !types.includes(row.type)) {
      throw invalid(key, `a ${row.type} channel has no \`${key}\``);
    }
  }
  const target = { ...(row.target as ChannelTarget) };
  if (patch.url !== undefined) {
    await checkUrl(env, patch.url);
    target.url = patch.url;
  }
  if (patch.to !== undefined) target.to = patch.to;
  if (patch.topic !== undefined) target.topic = patch.topic;
  if (patch.url !== undefined || patch.to !== undefined || patch.topic !== undefined) {
    set.target = target;
  }
  if (patch.routingKey !== undefined) set.secret = patch.routingKey;
  if (patch.token !== undefined) set.secret = patch.token;
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.severities !== undefined) set.severities = patch.severities;
  if (patch.renotifyAfter !== undefined) {
    set.renotifySeconds =
      patch.renotifyAfter === null ? null : (parseDuration(patch.renotifyAfter) ?? 0) / 1000;
  }
  if (patch.groupWait !== undefined)
    set.groupWaitSeconds = patch.groupWait === null ? null : seconds(patch.groupWait);
  if (patch.groupInterval !== undefined)
    set.groupIntervalSeconds = patch.groupInterval === null ? null : seconds(patch.groupInterval);
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  await db.batch([
    db
      .update(channels)
      .set(set)
      .where(and(eq(channels.businessId, businessId), eq(channels.id, channelId))),
    bumpVersion(db, businessId),
  ]);
  await applyDefinition(env, businessId);
  return toChannel(await getChannelRow(db, businessId, channelId));
}

export async function deleteChannel(
  env: Env,
  db: Database,
  businessId: string,
  channelId: string,
): Promise<void> {
  await getChannelRow(db, businessId, channelId);
  await db.batch([
    db.delete(channels).where(and(eq(channels.businessId, businessId), eq(channels.id, channelId))),
    bumpVersion(db, businessId),
  ]);
  await applyDefinition(env, businessId);
}
