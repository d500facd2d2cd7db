import { createApp } from "./api/app";
import { DEAD_LETTER_QUEUE, deliverNotifications, recordDeadLetters } from "./notify/consumer";
import type { NotificationMessage } from "./notify/message";

export { BusinessMonitor } from "./business/monitor";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env, _ctx) {
    if (batch.queue === DEAD_LETTER_QUEUE) await recordDeadLetters(batch, env);
    else await deliverNotifications(batch, env);
  },
} satisfies ExportedHandler<Env, NotificationMessage>;
