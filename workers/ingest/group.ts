import type { GroupedRequest, GroupOutcome, IngestOutcome, StoredResult } from "../business/rpc";
import { monitorOf } from "../definitions/monitor";
import { ProblemError } from "../lib/errors";
import { type Sorted, store } from "./accept";
import type { IngestAuth } from "./auth";
import { partsOf } from "./sharded";

/**
 * Group commit for single-event requests. While one ingest call of this isolate
 * to an object (a business, or one shard of it) is in flight, the requests that
 * arrive for the same object wait for it and then go together: one RPC, one
 * transaction, each request answered with its own result only when that call
 * returned (its event is durable). With nothing in flight a request goes
 * direct, at once, exactly as before: no added wait.
 *
 * The Workers runtime ties I/O to the request that issued it, so every call is
 * issued and awaited by one request that stays until it settles:
 * - the first request to arrive while a call is in flight opens the next group
 *   and leads it: it waits for the call in flight (or `LEADER_WAIT_MS` at most),
 *   sends the group's call itself, hands it to `waitUntil` (a client that
 *   disconnects does not cancel the others' call) and settles every member;
 * - the others join the open group and wait on a promise of their own, which
 *   the leader resolves (the runtime runs each member's continuation in its own
 *   request); a member whose leader stayed silent for `MEMBER_WAIT_MS` answers
 *   503, as a direct request whose call failed would (whether its event was
 *   stored is unknown: the client retries, as after any lost answer);
 * - a call in flight for `STALE_MS` no longer holds the others back.
 * Validation happens before a request joins: one bad event is answered alone;
 * a failed call fails every request of its group (none of them gets a 202).
 */

/** How long a group's leader waits for the call in flight before it sends anyway. */
export const LEADER_WAIT_MS = 1_000;
/** How long a member waits for its leader's call before it gives up (503). */
export const MEMBER_WAIT_MS = 10_000;
/** A call in flight this long no longer makes new requests wait (its request was lost). */
export const STALE_MS = 30_000;
/** Requests per group at most; the next ones open the group after. */
export const GROUP_MAX = 100;
/** Objects tracked per isolate; the oldest are forgotten past this. */
const TRACKED = 10_000;

export interface GroupCalls {
  /** The request alone, on today's direct path. */
  direct(): Promise<IngestOutcome>;
  /** One call for a group, one result per request in its order. */
  send(requests: GroupedRequest[]): Promise<GroupOutcome>;
  /** Keeps the request alive until the promise settles (ExecutionContext.waitUntil). */
  waitUntil(promise: Promise<unknown>): void;
}

/** How a request was stored: alone, or in a group with the others in flight. */
export type Joined =
  | { path: "direct"; outcome: IngestOutcome }
  | { path: "grouped"; result: StoredResult; busy: boolean };

type Settled = { ok: true; result: StoredResult; busy: boolean } | { ok: false; error: unknown };

interface Member {
  request: GroupedRequest;
  settle(settled: Settled): void;
}

interface Group {
  members: Member[];
  /** Called when the call in flight settled: the leader goes. */
  go(): void;
}

interface Target {
  /** The call in flight (a token), and since when. */
  inFlight: object | null;
  since: number;
  /** The group that goes next, open to requests. */
  open: Group | null;
}

const targets = new Map<string, Target>();

function targetOf(key: string): Target {
  let target = targets.get(key);
  if (!target) {
    if (targets.size >= TRACKED) targets.delete(targets.keys().next().value as string);
    target = { inFlight: null, since: 0, open: null };
    targets.set(key, target);
  }
  return target;
}

/** Resolves to `undefined` after `ms`, unless cleared. */
function timer(ms: number): { done: Promise<undefined>; clear(): void } {
  let id: ReturnType<typeof setTimeout> | undefined;
  const done = new Promise<undefined>((resolve) => {
    id = setTimeout(() => resolve(undefined), ms);
  });
  return { done, clear: () => clearTimeout(id) };
}

/** The call in flight settled: hand the object to the open group, if any, at once. */
function release(target: Target, token: object): void {
  if (target.inFlight !== token) return;
  const next = target.open;
  if (!next) {
    target.inFlight = null;
    return;
  }
  target.open = null;
  target.inFlight = next;
  target.since = Date.now();
  next.go();
}

/**
 * Runs a call as the one in flight for its object. The call, its members'
 * settling and the hand-over to the open group run under `waitUntil`: a client
 * that disconnects does not cancel them.
 */
function inFlight<T>(target: Target, token: object, calls: GroupCalls, call: () => Promise<T>) {
  target.inFlight = token;
  target.since = Date.now();
  const pending = call();
  calls.waitUntil(
    pending.then(
      () => release(target, token),
      () => release(target, token),
    ),
  );
  return pending;
}

/** Sends a group's call and settles each member with its own result (or the call's error). */
async function sendGroup(members: Member[], calls: GroupCalls): Promise<void> {
  try {
    const outcome = await calls.send(members.map((m) => m.request));
    const busy = outcome.busy === true;
    members.forEach((m, i) => {
      const result = outcome.results[i];
      if (result) m.settle({ ok: true, result, busy });
      else
        m.settle({ ok: false, error: new Error("The object answered no result for a request.") });
    });
  } catch (error) {
    for (const m of members) m.settle({ ok: false, error });
  }
}

/** A request's own member of a group, and what became of it once the group's call settled. */
function ownMember(request: GroupedRequest) {
  const box: { settled?: Settled } = {};
  const member: Member = { request, settle: (s) => (box.settled = s) };
  const answer = (): Joined => {
    const settled = box.settled ?? { ok: false, error: new Error("The group settled without it.") };
    return answerOf(settled);
  };
  return { member, answer };
}

function answerOf(settled: Settled): Joined {
  if (!settled.ok) throw settled.error;
  return { path: "grouped", result: settled.result, busy: settled.busy };
}

/** Stores one request for the object named by `key`: direct when nothing is in flight, else in a group. */
export async function join(
  key: string,
  request: GroupedRequest,
  calls: GroupCalls,
): Promise<Joined> {
  const target = targetOf(key);
  if (!target.inFlight || Date.now() - target.since > STALE_MS) {
    return { path: "direct", outcome: await inFlight(target, {}, calls, calls.direct) };
  }
  const open = target.open;
  // The open group is full: this one goes direct beside the call in flight.
  if (open && open.members.length >= GROUP_MAX) {
    return { path: "direct", outcome: await calls.direct() };
  }
  if (open) {
    // A member: the leader settles this request, within MEMBER_WAIT_MS.
    const { promise, resolve } = Promise.withResolvers<Settled>();
    open.members.push({ request, settle: resolve });
    const wait = timer(MEMBER_WAIT_MS);
    const settled = await Promise.race([promise, wait.done]);
    wait.clear();
    if (settled) return answerOf(settled);
    throw new ProblemError(
      503,
      "Service Unavailable",
      "The event could not be confirmed as stored in time; retry the request.",
    );
  }
  // The leader of the next group: waits for the call in flight, then sends for all.
  const own = ownMember(request);
  const { promise: went, resolve: go } = Promise.withResolvers<void>();
  const group: Group = { members: [own.member], go };
  target.open = group;
  const wait = timer(LEADER_WAIT_MS);
  await Promise.race([went, wait.done]);
  wait.clear();
  if (target.open === group) target.open = null;
  await inFlight(target, group, calls, () => sendGroup(group.members, calls));
  return own.answer();
}

/**
 * A direct single-event request (no Idempotency-Key: a replayed key needs the
 * object's stored answer) through the group commit of its object: the
 * business's, or the one shard all its events route to; a request spanning
 * shards goes direct.
 */
export function storeJoined(
  env: Env,
  auth: IngestAuth,
  receivedAt: number,
  sorted: Sorted,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Joined> {
  const { business } = auth;
  const direct = () => store(env, auth, receivedAt, sorted);
  let shard = 0;
  if (business.shards > 1) {
    const parts = [...partsOf(sorted.events, undefined, business).keys()];
    if (parts.length !== 1) return direct().then((outcome) => ({ path: "direct", outcome }));
    shard = parts[0] ?? 0;
  }
  const request: GroupedRequest = {
    version: business.version,
    sourceId: auth.sourceId,
    receivedAt,
    events: sorted.events,
    rejected: sorted.rejected,
  };
  return join(`${business.id}/${business.shards}/${shard}`, request, {
    direct,
    send: (requests) => monitorOf(env, business.id, shard).ingestGroup(business.id, requests),
    waitUntil,
  });
}
