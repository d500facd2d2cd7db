import type { RuleEngine } from "./engine/engine";
import { takeEnqueued } from "./outbox";
import { scheduleAtMost } from "./schedule";

/**
 * One commit of the object's state: `work` runs in one storage transaction,
 * then the engine writes its cached state and every queued outbox kind gets its
 * job now (an alert change reaches D1 and the Queue in this alarm run). On
 * failure the engine's caches are dropped (and `onFailure` runs), so memory
 * never runs ahead of storage.
 */
export function commit<T>(
  storage: DurableObjectStorage,
  engine: RuleEngine,
  work: () => T,
  onFailure: () => void,
): T {
  try {
    return storage.transactionSync(() => {
      const result = work();
      engine.flush();
      for (const kind of takeEnqueued(storage.sql))
        scheduleAtMost(storage.sql, kind, "", Date.now());
      return result;
    });
  } catch (error) {
    engine.reset();
    onFailure();
    throw error;
  }
}
