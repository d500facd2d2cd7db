import type { AlertStore } from "./engine/alerts";
import type { RuleEngine } from "./engine/engine";
import type { Notifier } from "./notifications";
import type { Place } from "./shards/route";

/** What a business's object lends its jobs. */
export interface JobContext {
  sql: SqlStorage;
  storage: DurableObjectStorage;
  env: Env;
  engine: RuleEngine;
  alerts: AlertStore;
  notifier: Notifier | undefined;
  /** Runs work in one storage transaction and writes the engine's state with it. */
  transaction(work: () => void): void;
  /** Tells live watchers that alerts changed (on a sharded business, through shard 0). */
  announce(): Promise<void>;
  /** Which of its business's objects this is (shards/route.ts). */
  place: Place;
  /** Whether `engine` is still the object's definition (not reloaded while the job awaited). */
  isCurrent(): boolean;
}

/** `done`: nothing left; `again`: more right away; a number: run again then. */
export type Outcome = "done" | "again" | number;
