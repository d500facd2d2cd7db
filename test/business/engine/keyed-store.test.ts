import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyedStore, memoryBackend, stateKey } from "../../../workers/business/engine/keyed-store";

const keys = ["rul_a\nA", "rul_a\nB", "rul_b\nA"];

type Op =
  | { op: "set"; key: string; value: number }
  | { op: "flush" }
  | { op: "reset" }
  | { op: "drop"; key: string }
  | { op: "dropRule"; ruleId: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    key: fc.constantFrom(...keys),
    value: fc.integer(),
  }),
  fc.constant({ op: "flush" as const }),
  fc.constant({ op: "reset" as const }),
  fc.record({ op: fc.constant("drop" as const), key: fc.constantFrom(...keys) }),
  fc.record({ op: fc.constant("dropRule" as const), ruleId: fc.constantFrom("rul_a", "rul_b") }),
);

describe("the write-behind keyed store", () => {
  it("stores exactly what was flushed, reads it back, and drops unflushed changes on reset", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const backend = memoryBackend<number>();
        const store = new KeyedStore(backend);
        const stored = new Map<string, number>();
        const pending = new Map<string, number>();
        for (const o of ops) {
          if (o.op === "set") {
            store.set(o.key, o.value);
            pending.set(o.key, o.value);
          } else if (o.op === "flush") {
            const written = store.flush().sort();
            expect(written).toEqual([...pending.keys()].sort());
            for (const [k, v] of pending) stored.set(k, v);
            pending.clear();
          } else if (o.op === "reset") {
            store.reset();
            pending.clear();
          } else if (o.op === "drop") {
            store.drop(o.key);
            pending.delete(o.key);
          } else {
            store.dropRule(o.ruleId);
            for (const k of [...pending.keys()])
              if (k.startsWith(`${o.ruleId}\n`)) pending.delete(k);
          }
          expect(new Map(backend.rows)).toEqual(stored);
        }
        // A fresh store over the same backend reads what was stored.
        const again = new KeyedStore(backend);
        for (const key of keys) expect(again.get(key)).toBe(stored.get(key));
      }),
    );
  });

  it("writes only the touched parts of a value, once per flush", () => {
    const saved: number[][] = [];
    const store = new KeyedStore<Map<number, number>>({
      load: () => undefined,
      save: (rows) => saved.push(rows.flatMap((r) => [...r.parts])),
    });
    const key = stateKey("rul_a", "A");
    const map = store.getOr(key, () => new Map());
    map.set(1, 10).set(2, 20);
    store.touch(key, 2);
    store.touch(key, 2);
    expect(store.flush()).toEqual([key]);
    expect(store.flush()).toEqual([]);
    expect(saved).toEqual([[2]]);
  });
});
