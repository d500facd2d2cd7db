import { inArray } from "drizzle-orm";
import type { ChannelTarget } from "../../schema/contracts/channels";
import type { ChannelRow } from "../definitions/channels";
import type { Database } from "../lib/db";
import { database, tables } from "../lib/db";
import { newId } from "../lib/ids";
import { checkTarget } from "../lib/net";
import {
  isOpen,
  recordFailure,
  recordSuccess,
  retryBaseSeconds,
  retryDelaySeconds,
} from "./breaker";
import type { NotificationMessage } from "./message";
import { destinationOf, providers } from "./providers";
import type { SendResult } from "./senders";

export const DEAD_LETTER_QUEUE = "anom-notifications-dlq";

type DeliveryRow = typeof tables.deliveries.$inferInsert;

export function delivery(
  m: NotificationMessage,
  attempt: number,
  outcome: DeliveryRow["outcome"],
  r: Partial<SendResult>,
  latencyMs: number | null,
): DeliveryRow {
  return {
    id: newId("dlv"),
    businessId: m.businessId,
    channelId: m.channelId,
    alertId: m.alert.id,
    transitionId: m.id,
    eventType: m.type,
    attempt,
    outcome,
    statusCode: r.statusCode ?? null,
    error: r.error ?? null,
    latencyMs,
  };
}

async function channelsOf(
  db: Database,
  messages: readonly Message<NotificationMessage>[],
): Promise<Map<string, ChannelRow>> {
  const ids = [...new Set(messages.map((m) => m.body.channelId))];
  const rows = ids.length
    ? await db.select().from(tables.channels).where(inArray(tables.channels.id, ids))
    : [];
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Sends one message to one channel through its type's provider. A target is
 * checked again at every delivery: the channel may predate a stricter setting,
 * and what a name resolves to can change after the channel was saved.
 */
export async function send(
  env: Env,
  channel: ChannelRow,
  m: NotificationMessage,
): Promise<SendResult> {
  const provider = providers[channel.type];
  const target = channel.target as ChannelTarget;
  const endpoint = provider.endpoint(target);
  if (endpoint !== undefined) {
    const verdict = await checkTarget(env, endpoint);
    if (!verdict.ok) {
      return {
        ok: false,
        statusCode: null,
        error: `refused: ${verdict.reason}`,
        permanent: !verdict.retryable,
      };
    }
  }
  return provider.send({ env, channel, target, message: m, endpoint: endpoint ?? "" });
}

/**
 * The notifications consumer: sends each message to its channel, all at once so
 * a slow endpoint does not hold up the others, records every attempt, and
 * retries failures with exponential backoff; after the last retry the Queue
 * moves the message to the dead-letter queue.
 */
export async function deliverNotifications(
  batch: MessageBatch<NotificationMessage>,
  env: Env,
): Promise<void> {
  const db = database(env.DB);
  const backoffBase = retryBaseSeconds(env.NOTIFY_RETRY_BASE_SECONDS);
  const channels = await channelsOf(db, batch.messages);
  const rows: DeliveryRow[] = [];
  await Promise.all(
    batch.messages.map(async (msg) => {
      const m = msg.body;
      const channel = channels.get(m.channelId);
      if (!channel?.enabled) {
        // Removed or switched off since the alert changed: nothing to deliver.
        msg.ack();
        return;
      }
      const destination = destinationOf(channel);
      if (isOpen(destination)) {
        rows.push(
          delivery(
            m,
            msg.attempts,
            "failed",
            { error: "skipped: destination failing, retried later" },
            null,
          ),
        );
        msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, Math.random, backoffBase) });
        return;
      }
      const started = Date.now();
      const result = await send(env, channel, m);
      const latency = Date.now() - started;
      if (result.ok) {
        recordSuccess(destination);
        rows.push(delivery(m, msg.attempts, "delivered", result, latency));
        msg.ack();
      } else if (result.permanent) {
        rows.push(delivery(m, msg.attempts, "dead", result, latency));
        msg.ack();
      } else {
        recordFailure(destination);
        rows.push(delivery(m, msg.attempts, "failed", result, latency));
        msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, Math.random, backoffBase) });
      }
    }),
  );
  await record(db, rows);
}

/** The dead-letter consumer: records that a message ran out of retries. */
export async function recordDeadLetters(
  batch: MessageBatch<NotificationMessage>,
  env: Env,
): Promise<void> {
  const rows = batch.messages.map((msg) =>
    delivery(msg.body, msg.attempts, "dead", { error: "gave up after the last retry" }, null),
  );
  await record(database(env.DB), rows);
  batch.ackAll();
}

export async function record(db: Database, rows: DeliveryRow[]): Promise<void> {
  const [first, ...rest] = rows.map((r) => db.insert(tables.deliveries).values(r));
  if (first) await db.batch([first, ...rest]);
}
