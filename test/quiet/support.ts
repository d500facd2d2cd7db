import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { settle } from "../helpers";

export const MIN = 60_000;
export const stubOf = (id: string) => env.BUSINESS.get(env.BUSINESS.idFromName(id));

/** Makes scheduled jobs of the business (of one kind, or all) due now, then runs the alarm. */
export async function fastForward(businessId: string, kind?: string) {
  await runInDurableObject(stubOf(businessId), async (_i, state) => {
    if (kind) state.storage.sql.exec(`update schedule set due = 1 where kind = ?`, kind);
    else state.storage.sql.exec(`update schedule set due = 1`);
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(stubOf(businessId));
  // The runtime may have started the alarm itself a moment earlier; wait for its work.
  await settle(businessId);
}

/** The jobs of a kind the business has planned, with their keys and due times. */
export async function planned(businessId: string, kind: string) {
  return runInDurableObject(stubOf(businessId), (_i, state) =>
    state.storage.sql
      .exec<{ key: string; due: number }>(`select key, due from schedule where kind = ?`, kind)
      .toArray(),
  );
}

export const route = (routeId: string, durationMs: number, at = Date.now() - 1000) => ({
  timestamp: at,
  routeId,
  durationMs,
  status: "OK",
});
