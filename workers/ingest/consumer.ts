import type { CoalescedMessage } from "../business/rpc";
import { monitorOf } from "../definitions/monitor";
import { ingestCoalescedSharded } from "./sharded";

/**
 * The ingest Queue's consumer: hands each business its messages in one call.
 * A message is acknowledged once its object stored it (durably); on failure the
 * business's messages are retried, and the object skips those it already has.
 */
export async function ingestCoalesced(
  batch: MessageBatch<CoalescedMessage>,
  env: Env,
): Promise<void> {
  const byBusiness = new Map<string, Message<CoalescedMessage>[]>();
  for (const m of batch.messages) {
    const list = byBusiness.get(m.body.businessId);
    if (list) list.push(m);
    else byBusiness.set(m.body.businessId, [m]);
  }
  await Promise.all(
    [...byBusiness].map(async ([businessId, messages]) => {
      try {
        const bodies = messages.map((m) => m.body);
        const layout = bodies.find((b) => b.layout)?.layout;
        const outcome = layout
          ? await ingestCoalescedSharded(env, businessId, bodies, layout)
          : await monitorOf(env, businessId).ingestCoalesced(businessId, bodies);
        if (outcome === "business-deleted")
          console.warn(
            `business ${businessId} was deleted: ${messages.length} queued requests dropped`,
          );
        for (const m of messages) m.ack();
      } catch (error) {
        console.error(`business ${businessId}: coalesced ingest failed, retrying`, error);
        for (const m of messages) m.retry({ delaySeconds: 1 });
      }
    }),
  );
}
