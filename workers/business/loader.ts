import type { Rule } from "../../schema/contracts/rules";
import { findBusiness } from "../definitions/businesses";
import { listChannels } from "../definitions/channels";
import { listRules } from "../definitions/rules";
import { listSilenceRows, silenceDef } from "../definitions/silences";
import { database } from "../lib/db";
import type { AlertStore } from "./engine/alerts";
import { RuleEngine } from "./engine/engine";
import { reconcile } from "./engine/reconcile";
import { Notifier } from "./notifications";
import { SilenceWindow } from "./quiet/window";
import { keepReplaying, startReplay } from "./replay";
import { scheduleAtMost } from "./schedule";
import { forgetBacklog } from "./shards/backlog";
import { CrossInhibition } from "./shards/inhibit";
import { SpanOutbox } from "./shards/outbox";
import type { Place } from "./shards/route";
import { isSharded, rulesAt } from "./shards/route";
import { rememberedBusiness } from "./storage";

/** Raised inside the object when its business no longer exists in D1; never crosses RPC. */
export class BusinessDeleted extends Error {
  constructor(id: string) {
    super(`business ${id} was deleted`);
    this.name = "BusinessDeleted";
  }
}

/** A business's definition compiled for its object: the rule engine and the notifier it feeds. */
export interface Loaded {
  engine: RuleEngine;
  notifier: Notifier;
  /** The rules this object runs, as stored in D1 (the engine holds them compiled). */
  rules: Rule[];
  /** A shard's partial state for the rules that span keys (shards/outbox.ts); undefined when none. */
  outbox: SpanOutbox | undefined;
  /** `inhibitedBy` across the objects of a sharded business; undefined when unsharded. */
  inhibition: CrossInhibition | undefined;
}

/**
 * Reads the business, its rules, channels and silences from D1 and wires the
 * engine to a notifier (alert transitions reach it through `alerts.listener`).
 * Throws `BusinessDeleted` when the business is gone.
 */
export async function loadDefinition(
  env: Env,
  sql: SqlStorage,
  alerts: AlertStore,
  id: string,
  place: Place,
): Promise<Loaded> {
  const db = database(env.DB);
  const [business, rules, channels, silenceRows] = await Promise.all([
    findBusiness(db, id),
    listRules(db, id),
    listChannels(db, id),
    listSilenceRows(db, id),
  ]);
  if (!business) throw new BusinessDeleted(id);
  // A sharded business's rules that span keys run in its coordinator, the others in each shard.
  const here = rulesAt(place, business, rules);
  const engine = new RuleEngine(sql, business, here, alerts);
  const silences: SilenceWindow[] = [];
  for (const row of silenceRows) {
    try {
      silences.push(new SilenceWindow(silenceDef(row), business.timezone));
    } catch (error) {
      // The API checks schedules when saved; one that no longer parses silences nothing.
      console.warn(`business ${id}: silence ${row.id} skipped`, error);
    }
  }
  const inhibition = CrossInhibition.of(sql, place, isSharded(business), rules, alerts);
  const notifier = new Notifier(
    sql,
    business,
    channels,
    {
      channels: (ruleId) => engine.ruleChannels(ruleId),
      name: (ruleId) => engine.ruleName(ruleId),
      inhibitors: (ruleId) => engine.inhibitorsOf(ruleId),
      activeElsewhere: (ruleId) => inhibition?.activeElsewhere(ruleId) ?? false,
      kind: (ruleId) => engine.ruleKind(ruleId),
    },
    silences,
    alerts,
    engine.rules.map((r) => r.rule.id),
  );
  alerts.listener = (alert, type, transitionId, at) =>
    notifier.onTransition(alert, type, transitionId, at);
  const outbox = SpanOutbox.of(place, business, rules);
  return { engine, notifier, rules: here, outbox, inhibition };
}

/**
 * The definition the object holds: loaded once, shared by the requests that
 * arrive while it loads, reloaded when a caller saw a newer version than the
 * one held (or after eviction). `start` brings the live state in line with a
 * freshly loaded definition before any request uses it.
 */
export class HeldDefinition {
  private current: Loaded | undefined;
  private loading: Promise<RuleEngine> | undefined;

  constructor(
    private readonly env: Env,
    private readonly sql: SqlStorage,
    private readonly alerts: AlertStore,
    private readonly place: Place,
    private readonly start: (loaded: Loaded, id: string) => Promise<void>,
  ) {}

  get engine(): RuleEngine | undefined {
    return this.current?.engine;
  }

  get notifier(): Notifier | undefined {
    return this.current?.notifier;
  }

  get outbox(): SpanOutbox | undefined {
    return this.current?.outbox;
  }

  get inhibition(): CrossInhibition | undefined {
    return this.current?.inhibition;
  }

  /** Forgets the held definition: the next `get` loads it again. */
  drop(): void {
    this.current = undefined;
  }

  /** Waits for a load in progress, if any. */
  async settled(): Promise<void> {
    await this.loading;
  }

  /**
   * The business's definition and rules, compiled into an engine; reloaded from
   * D1 when the caller saw a newer version than the one held here (or after
   * eviction, from the stored id).
   */
  async load(businessId?: string, version?: number): Promise<RuleEngine> {
    const id = businessId ?? rememberedBusiness(this.sql);
    if (!id) throw new BusinessDeleted("(unknown)");
    return this.get(id, version);
  }

  /** As `load`, but undefined when the business no longer exists. */
  async loadUnlessDeleted(businessId?: string, version?: number): Promise<RuleEngine | undefined> {
    try {
      return await this.load(businessId, version);
    } catch (error) {
      if (error instanceof BusinessDeleted) return undefined;
      throw error;
    }
  }

  async get(id: string, version?: number): Promise<RuleEngine> {
    const held = this.current?.engine;
    if (held && (version === undefined || held.business.version >= version)) return held;
    this.loading ??= this.build(id).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async build(id: string): Promise<RuleEngine> {
    const loaded = await loadDefinition(this.env, this.sql, this.alerts, id, this.place);
    await this.start(loaded, id);
    this.current = loaded;
    return loaded.engine;
  }
}

/**
 * Inside a transaction, brings the live state in line with a freshly loaded
 * definition: rules that start afresh learn from the history first (until they
 * have caught up they sit out live events). The coordinator of a sharded
 * business reads its shards' history (shards/replay.ts). True when a replay is due.
 */
export function reconcileLoaded(
  sql: SqlStorage,
  { engine, notifier, rules }: Loaded,
  place: Place,
): boolean {
  const now = Date.now();
  const fresh = reconcile(engine, rules, now);
  notifier.refresh(now);
  const live = new Set(engine.rules.map((r) => r.rule.id));
  keepReplaying(sql, live);
  const across = place.role === "coordinator" ? { version: engine.business.version } : undefined;
  if (across) forgetBacklog(sql, (id) => !live.has(id) || fresh.includes(id));
  const due = startReplay(sql, fresh, across);
  if (due) scheduleAtMost(sql, "replay", "", now);
  return due;
}
