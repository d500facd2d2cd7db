import { monitorOf } from "../../definitions/monitor";
import type { JobContext, Outcome } from "../job-context";
import { getMeta } from "../storage";
import { pushInhibitors } from "./inhibit";
import { PUSH_INTERVAL_MS, pushOutbox } from "./outbox";

export { JOB_INHIBIT_PUSH } from "./inhibit";
export { JOB_SHARD_PUSH, PUSH_INTERVAL_MS } from "./outbox";

/** The shard-push job: hands the outbox to the business's coordinator; says when to run again. */
export async function pushToCoordinator(
  ctx: Pick<JobContext, "sql" | "env" | "engine" | "place">,
  now: number,
): Promise<Outcome> {
  if (ctx.place.role !== "shard") return "done";
  const businessId = ctx.engine.business.id;
  const coordinator = monitorOf(ctx.env, businessId, { role: "coordinator" });
  const left = await pushOutbox(ctx.sql, businessId, ctx.place.shard, coordinator);
  return left === "full" ? "again" : left === "more" ? now + PUSH_INTERVAL_MS : "done";
}

/**
 * The inhibit-push job: the coordinator hands the business-wide inhibiting
 * rules to every shard; again at once when they changed while it was out.
 */
export async function pushToShards(
  ctx: Pick<JobContext, "sql" | "env" | "engine" | "place">,
): Promise<Outcome> {
  if (ctx.place.role !== "coordinator") return "done";
  const { id, shards } = ctx.engine.business;
  const all = Array.from({ length: shards }, (_, shard) => monitorOf(ctx.env, id, shard));
  const sent = await pushInhibitors(ctx.sql, id, all);
  return sent < Number(getMeta(ctx.sql, "inhibit_version") ?? 0) ? "again" : "done";
}
