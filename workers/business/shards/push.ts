import { monitorOf } from "../../definitions/monitor";
import type { JobContext } from "../jobs";
import { pushOutbox } from "./outbox";

export { JOB_SHARD_PUSH, PUSH_INTERVAL_MS } from "./outbox";

/** The shard-push job: hands the outbox to the business's coordinator; true when rows remain. */
export async function pushToCoordinator(
  ctx: Pick<JobContext, "sql" | "env" | "engine" | "place">,
): Promise<boolean> {
  if (ctx.place.role !== "shard") return false;
  const businessId = ctx.engine.business.id;
  const coordinator = monitorOf(ctx.env, businessId, { role: "coordinator" });
  return pushOutbox(ctx.sql, businessId, ctx.place.shard, coordinator);
}
