import type { Alert } from "../../schema/contracts/alerts";
import type { IngestResult } from "../../schema/contracts/events";
import type { Counter } from "./counters";
import type { NewEvent } from "./events";
import type { JobPing } from "./job-runs";

/** What the edge hands the object for one accepted ingest request. */
export interface IngestBatch {
  businessId: string;
  /** The definition version the edge validated against. */
  version: number;
  sourceId: string;
  receivedAt: number;
  events: NewEvent[];
  rejected: IngestResult["rejected"];
  idempotency?: { key: string; bodyHash: string } | undefined;
  /** A heartbeat ping (one event): its run's start is noted, its end measured. */
  job?: JobPing | undefined;
  /** OpenTelemetry cumulative sums among the events: stored as deltas. */
  counters?: Counter[] | undefined;
}

/** One accepted request on its way through the ingest Queue (see ingest/coalesce.ts). */
export type CoalescedMessage = Omit<IngestBatch, "idempotency"> & {
  /** Unique per request: the object stores a message once by it. */
  id: string;
  /** A sharded business's layout when the request was accepted: the consumer splits by it. */
  layout?: { shards: number; shardKey: string | null } | undefined;
};

/** What became of a change to an alert, in domain terms (api/ maps them to HTTP). */
export type AlertChange =
  | { ok: true; alert: Alert }
  | { ok: false; reason: "not-found" | "business-deleted" }
  | { ok: false; reason: "already-resolved"; detail: string };

/** `duplicates`: events with a key stored before, not stored again (only when there are some). */
export type StoredResult = IngestResult & { duplicates?: number };

/** One request of a group of concurrent small requests from one edge (ingest/group.ts). */
export type GroupedRequest = Pick<
  IngestBatch,
  "version" | "sourceId" | "receivedAt" | "events" | "rejected"
>;

/** What the object answers for a group: each request's result in the group's order. */
export interface GroupOutcome {
  results: StoredResult[];
  /** As for a direct request: the edge coalesces for a while. */
  busy?: true;
}

export type IngestOutcome =
  /** `busy`: this object takes more direct requests than it should; the edge coalesces for a while. */
  | { status: "stored"; result: StoredResult; busy?: true }
  | { status: "replayed"; result: StoredResult }
  | { status: "key-reused" };
