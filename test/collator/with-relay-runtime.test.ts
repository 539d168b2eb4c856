/**
 * The three collators against parapipe's relay runtime (not the fake relay): their candidates
 * pass the runtime's checks (descriptor V2 core index and UMP signals, PVD hash, code hash, head
 * data, relay parent) and the para advances at the rate each backing mode allows.
 */
import { describe, expect, it } from "vitest";
import { decodeHeadData } from "../../src/parachain/block.ts";
import { paraSpec } from "../parachain/chain-helpers.ts";
import { FakeWorld } from "./fake-world.ts";

function world(preset: "sync" | "async" | "elastic-3", cores: number[], collators: number) {
  const w = new FakeWorld({
    spec: paraSpec(preset, { collators }),
    paraCores: cores,
    numCores: cores.length,
    lookahead: preset === "sync" ? 1 : 3,
    allowedAncestryLen: preset === "sync" ? 0 : 2,
    groups: cores.map((c) => [2 * c, 2 * c + 1]),
    groupRotationFrequency: 10,
    backing: "pipeline",
    relay: "runtime",
  });
  w.run(10);
  return w;
}

const count = (xs: readonly { relayBlock: number }[], n: number) =>
  xs.filter((x) => x.relayBlock === n).length;

describe("collators with the relay runtime", () => {
  it("basic (sync): a candidate every other relay block, included the block after", () => {
    const w = world("sync", [0], 2);
    expect(w.backed.map((b) => b.relayBlock)).toEqual([2, 4, 6, 8, 10]);
    expect(w.included.map((b) => b.relayBlock)).toEqual([3, 5, 7, 9]);
    expect(w.dropped).toEqual([]);
    // The para head on the relay chain is the last included block.
    expect(decodeHeadData(w.includedHead).number).toBe(4);
  });

  it("lookahead (async): one candidate backed and one included per relay block", () => {
    const w = world("async", [0], 2);
    expect(w.backed.map((b) => b.relayBlock)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(w.included.map((b) => b.relayBlock)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(w.dropped).toEqual([]);
    expect(w.invalid).toEqual([]);
  });

  it("slot-based (3 cores): three candidates per relay block, SelectCore accepted", () => {
    const w = world("elastic-3", [0, 1, 2], 1);
    for (let n = 3; n <= 10; n++) {
      expect(count(w.backed, n)).toBe(3);
    }
    for (let n = 4; n <= 10; n++) expect(count(w.included, n)).toBe(3);
    expect(new Set(w.backed.map((b) => b.core))).toEqual(new Set([0, 1, 2]));
    expect(w.dropped).toEqual([]);
    expect(w.invalid).toEqual([]);
  });
});
