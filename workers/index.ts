import { createApp } from "./api/app";
import type { CoalescedMessage } from "./business/rpc";
import { INGEST_QUEUE } from "./ingest/coalesce";
import { ingestCoalesced } from "./ingest/consumer";
import { database } from "./lib/db";
import { DEAD_LETTER_QUEUE, deliverNotifications, recordDeadLetters } from "./notify/consumer";
import type { NotificationMessage } from "./notify/message";
import { profileAll } from "./profile/run";

export { BusinessMonitor } from "./business/monitor";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (batch.queue === INGEST_QUEUE)
      await ingestCoalesced(batch as MessageBatch<CoalescedMessage>, env);
    else if (batch.queue === DEAD_LETTER_QUEUE)
      await recordDeadLetters(batch as MessageBatch<NotificationMessage>, env);
    else await deliverNotifications(batch as MessageBatch<NotificationMessage>, env);
  },
  /** The daily Cron Trigger: the profile engine looks at every business. */
  async scheduled(_controller, env, _ctx) {
    await profileAll(env, database(env.DB));
  },
} satisfies ExportedHandler<Env, NotificationMessage | CoalescedMessage>;
