import { describe, expect, it } from "vitest";
import { TtlCache } from "../../workers/lib/ttl-cache";

describe("TtlCache", () => {
  it("forgets entries when they expire", () => {
    let now = 0;
    const cache = new TtlCache<string, number>(1000, 10, () => now);
    cache.set("a", 1);
    now = 999;
    expect(cache.get("a")).toBe(1);
    now = 1000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops the oldest entry when full, and entries a predicate names", () => {
    const cache = new TtlCache<string, number>(1000, 2, () => 0);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toBeUndefined();
    cache.deleteWhere((v) => v === 3);
    expect(cache.get("c")).toBeUndefined();
    expect(cache.get("b")).toBe(2);
  });
});
