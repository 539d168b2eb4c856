import { describe, expect, it } from "vitest";
import { getOrInsertComputed } from "../../src/lib/memo.ts";

describe("getOrInsertComputed", () => {
  it("computes a key's value once and then returns the stored one", () => {
    const cache = new Map<string, number>();
    let calls = 0;
    const square = (k: string) => {
      calls++;
      return Number(k) ** 2;
    };
    expect(getOrInsertComputed(cache, "3", square)).toBe(9);
    expect(getOrInsertComputed(cache, "3", square)).toBe(9);
    expect(getOrInsertComputed(cache, "4", square)).toBe(16);
    expect(calls).toBe(2);
    expect([...cache]).toEqual([
      ["3", 9],
      ["4", 16],
    ]);
  });

  it("stores null as a value (only undefined means absent), and works on a WeakMap", () => {
    const cache = new WeakMap<object, string | null>();
    const key = {};
    let calls = 0;
    const none = () => {
      calls++;
      return null;
    };
    expect(getOrInsertComputed(cache, key, none)).toBeNull();
    expect(getOrInsertComputed(cache, key, none)).toBeNull();
    expect(calls).toBe(1);
  });
});
