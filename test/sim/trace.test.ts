import { blake2b } from "@noble/hashes/blake2.js";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex.ts";
import { canonicalJson, encodeTraceEntry, Trace } from "../../src/sim/trace.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth, omits undefined, encodes bytes and bigints", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x", null], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[1,"x",null]},"b":1}',
    );
    expect(canonicalJson({ h: new Uint8Array([0, 255]), n: 12n })).toBe('{"h":"0x00ff","n":"12n"}');
    expect(canonicalJson({ y: 1, x: 2 })).toBe(canonicalJson({ x: 2, y: 1 }));
  });

  it("refuses what has no canonical form", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson(new Map())).toThrow(/Map/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe("Trace", () => {
  it("hash is blake2b-256 over the concatenated canonical entries", () => {
    const t = new Trace();
    const empty = toHex(blake2b(new Uint8Array(), { dkLen: 32 }));
    expect(t.hash).toBe(empty);
    const entries = [
      { time: 0, actor: "v1", kind: "start" },
      { time: 1500, actor: "c2000", kind: "collate", detail: { paraId: 2000, note: "é ✓" } },
    ];
    for (const e of entries) t.record(e.time, e.actor, e.kind, e.detail);
    const text = entries.map(encodeTraceEntry).join("");
    expect(text).toBe(
      '[0,"v1","start",null]\n[1500,"c2000","collate",{"note":"é ✓","paraId":2000}]\n',
    );
    expect(t.hash).toBe(toHex(blake2b(new TextEncoder().encode(text), { dkLen: 32 })));
    expect(t.count).toBe(2);
  });

  it("same entries give the same hash; order, time or detail changes give another", () => {
    const hashOf = (rows: [number, string, string, Record<string, unknown>?][]) => {
      const t = new Trace();
      for (const [time, actor, kind, detail] of rows) t.record(time, actor, kind, detail);
      return t.hash;
    };
    const base = hashOf([
      [1, "a", "x", { k: 1 }],
      [2, "b", "y"],
    ]);
    expect(
      hashOf([
        [1, "a", "x", { k: 1 }],
        [2, "b", "y"],
      ]),
    ).toBe(base);
    expect(
      hashOf([
        [2, "b", "y"],
        [1, "a", "x", { k: 1 }],
      ]),
    ).not.toBe(base);
    expect(
      hashOf([
        [1, "a", "x", { k: 2 }],
        [2, "b", "y"],
      ]),
    ).not.toBe(base);
    expect(
      hashOf([
        [1, "a", "x", { k: 1 }],
        [3, "b", "y"],
      ]),
    ).not.toBe(base);
  });

  it("hash can be read mid-run without disturbing the running hash", () => {
    const a = new Trace();
    const b = new Trace();
    for (let i = 0; i < 100; i++) {
      a.record(i, "n", "k", { i, pad: "x".repeat(i) });
      b.record(i, "n", "k", { i, pad: "x".repeat(i) });
      void a.hash;
    }
    expect(a.hash).toBe(b.hash);
  });

  it("retains nothing by default, the last n with retain: n, everything with Infinity", () => {
    const fill = (t: Trace) => {
      for (let i = 0; i < 10; i++) t.record(i, "n", "k");
      return t;
    };
    expect(fill(new Trace()).entries()).toEqual([]);
    expect(
      fill(new Trace({ retain: 3 }))
        .entries()
        .map((e) => e.time),
    ).toEqual([7, 8, 9]);
    expect(fill(new Trace({ retain: Number.POSITIVE_INFINITY })).entries()).toHaveLength(10);
    expect(fill(new Trace({ retain: 3 })).hash).toBe(fill(new Trace()).hash);
  });
});
