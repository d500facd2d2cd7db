import { and, asc, eq } from "drizzle-orm";
import type {
  Channel,
  ChannelCreate,
  ChannelCreated,
  ChannelPatch,
} from "../../../schema/contracts/channels";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { formatDuration, parseDuration } from "../../lib/duration";
import { invalid, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { checkTarget } from "../../lib/net";
import { iso } from "../../lib/time";
import { applyDefinition, bumpVersion, getBusiness } from "../businesses/service";

const { channels } = tables;
export type ChannelRow = typeof channels.$inferSelect;
type Target = { url: string } | { to: string };

export function toChannel(row: ChannelRow): Channel {
  const target = row.target as Target;
  return {
    id: row.id,
    businessId: row.businessId,
    type: row.type,
    name: row.name,
    ...target,
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

/** Refuses webhook and Slack URLs that reach into a private network (unless allowed for local development). */
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
  if (input.type !== "email") await checkUrl(env, input.url);
  const at = Date.now();
  // Standard Webhooks secrets: `whsec_` and base64 of 24 random bytes.
  const secret =
    input.type === "webhook"
      ? `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`
      : null;
  const row: ChannelRow = {
    id: newId("chn", at),
    businessId,
    type: input.type,
    name: input.name ?? (input.type === "email" ? input.to : new URL(input.url).hostname),
    target: input.type === "email" ? { to: input.to } : { url: input.url },
    secret,
    severities: input.severities ?? null,
    renotifySeconds: input.renotifyAfter ? (parseDuration(input.renotifyAfter) ?? 0) / 1000 : null,
    groupWaitSeconds: input.groupWait === undefined ? null : seconds(input.groupWait),
    groupIntervalSeconds: input.groupInterval === undefined ? null : seconds(input.groupInterval),
    enabled: input.enabled,
    createdAt: at,
  };
  await db.batch([db.insert(channels).values(row), bumpVersion(db, businessId)]);
  await applyDefinition(env, businessId);
  return secret ? { ...toChannel(row), secret } : toChannel(row);
}

export async function updateChannel(
  env: Env,
  db: Database,
  businessId: string,
  channelId: string,
  patch: ChannelPatch,
): Promise<Channel> {
  const row = await getChannelRow(db, businessId, channelId);
  const set: Partial<ChannelRow> = {};
  if (patch.url !== undefined) {
    if (row.type === "email") throw invalid("url", "an email channel has `to`, not `url`");
    await checkUrl(env, patch.url);
    set.target = { url: patch.url };
  }
  if (patch.to !== undefined) {
    if (row.type !== "email") throw invalid("to", `a ${row.type} channel has \`url\`, not \`to\``);
    set.target = { to: patch.to };
  }
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
