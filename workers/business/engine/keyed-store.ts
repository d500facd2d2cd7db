/**
 * Live rule state keyed by `ruleId\ngroupKey`, written behind: values are
 * cached while the object lives, changes are marked dirty and written together
 * by `flush` (inside the caller's transaction), and `reset` drops everything
 * after a failed transaction so it is read again. One implementation serves
 * every kind of state; the backend is SQLite in the object, memory in unit tests.
 */
export interface StoreBackend<V> {
  load(ruleId: string, groupKey: string): V | undefined;
  /** Writes dirty entries; `parts` names the changed parts of a value when only some changed. */
  save(rows: { ruleId: string; groupKey: string; value: V; parts: ReadonlySet<number> }[]): void;
}

export const stateKey = (ruleId: string, groupKey: string) => `${ruleId}\n${groupKey}`;
export const splitKey = (key: string): [string, string] => {
  const i = key.indexOf("\n");
  return [key.slice(0, i), key.slice(i + 1)];
};

export class KeyedStore<V> {
  private readonly cache = new Map<string, V>();
  private readonly dirty = new Map<string, Set<number>>();

  constructor(private readonly backend: StoreBackend<V>) {}

  /** The value of a key, read from the backend on first use (not cached when absent). */
  get(key: string): V | undefined {
    const cached = this.cache.get(key);
    if (cached !== undefined || this.cache.has(key)) return cached;
    const [ruleId, group] = splitKey(key);
    const value = this.backend.load(ruleId, group);
    if (value !== undefined) this.cache.set(key, value);
    return value;
  }

  /** The value of a key, or a new one from `create` (cached, not dirty until touched). */
  getOr(key: string, create: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      value = create();
      this.cache.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.cache.set(key, value);
    this.touch(key);
  }

  /** Marks a key (or one part of its value) to be written by the next flush. */
  touch(key: string, part?: number): void {
    let parts = this.dirty.get(key);
    if (!parts) {
      parts = new Set();
      this.dirty.set(key, parts);
    }
    if (part !== undefined) parts.add(part);
  }

  /** Cached entries (what this object has used since it loaded). */
  cached(): IterableIterator<[string, V]> {
    return this.cache.entries();
  }

  isCached(key: string): boolean {
    return this.cache.has(key);
  }

  /** Forgets a key here (its stored row is the caller's to delete). */
  drop(key: string): void {
    this.cache.delete(key);
    this.dirty.delete(key);
  }

  /** Forgets every key of a rule here. */
  dropRule(ruleId: string): void {
    const prefix = `${ruleId}\n`;
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.drop(key);
    for (const key of this.dirty.keys()) if (key.startsWith(prefix)) this.dirty.delete(key);
  }

  /** Writes the dirty entries in one call to the backend; returns their keys. */
  flush(): string[] {
    if (this.dirty.size === 0) return [];
    const rows = [];
    const keys: string[] = [];
    for (const [key, parts] of this.dirty) {
      const value = this.cache.get(key);
      if (value === undefined) continue;
      const [ruleId, groupKey] = splitKey(key);
      rows.push({ ruleId, groupKey, value, parts });
      keys.push(key);
    }
    if (rows.length) this.backend.save(rows);
    this.dirty.clear();
    return keys;
  }

  reset(): void {
    this.cache.clear();
    this.dirty.clear();
  }
}

/** A backend in memory, for unit tests of the evaluators. */
export function memoryBackend<V>(): StoreBackend<V> & { rows: Map<string, V> } {
  const rows = new Map<string, V>();
  return {
    rows,
    load: (ruleId, groupKey) => rows.get(stateKey(ruleId, groupKey)),
    save: (dirty) => {
      for (const r of dirty) rows.set(stateKey(r.ruleId, r.groupKey), structuredClone(r.value));
    },
  };
}
