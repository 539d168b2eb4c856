import { describe, expect, it } from "vitest";
import type { AppliedFault } from "../../src/config/faults.ts";
import { type Inclusion, judgeLiveness, livenessFailures } from "../../src/sim/liveness.ts";

/** Inclusions at these slots, block numbers lagging by `lag` (crashed authors' empty slots). */
const at = (slots: readonly number[], lag = 0): Inclusion[] =>
  slots.map((slot) => ({ relayBlock: slot - lag, slot }));
const crash = (from: number, until: number): AppliedFault => ({
  at: from,
  for: until - from,
  until,
  kind: "crash",
  validators: [1],
  loseStore: false,
});
const every = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

function judge(
  slots: readonly number[],
  faults: readonly AppliedFault[],
  opts: { lag?: number; bound?: number; from?: number; to?: number } = {},
) {
  const liveness = judgeLiveness({
    inclusions: new Map([[2000, at(slots, opts.lag)]]),
    paraIds: [2000],
    faults,
    livenessRelayBlocks: opts.bound ?? 8,
    measured: { fromSlot: opts.from ?? 6, toSlot: opts.to ?? 40 },
  });
  return { para: liveness.get(2000)!, failures: livenessFailures(liveness) };
}

describe("liveness", () => {
  it("a para including every slot, no fault: no stall, nothing to recover from, holds", () => {
    expect(judge(every(2, 40), [])).toEqual({
      para: { stalls: [], recoveredWithinRelayBlocks: null, failure: null },
      failures: [],
    });
  });

  it("a stall is 4 or more slots without an inclusion, 3 is not (inclusive bounds)", () => {
    const slots = [...every(6, 10), ...every(14, 20), ...every(25, 40)];
    // 11..13 (3 slots) is no stall; 21..24 (4 slots) is.
    expect(judge(slots, []).para.stalls).toEqual([{ fromRelayBlock: 21, toRelayBlock: 24 }]);
  });

  it("stalls at the edges of the measured slots count, warm-up inclusions do not end one", () => {
    const slots = [1, 2, 3, ...every(12, 30)];
    expect(judge(slots, []).para.stalls).toEqual([
      { fromRelayBlock: 6, toRelayBlock: 11 },
      { fromRelayBlock: 31, toRelayBlock: 40 },
    ]);
  });

  it("recovery is counted in slots from the last fault's end, not in block numbers", () => {
    // Crash 10..15 (until 15); the para includes again at slot 17: within 3 slots. Blocks lag
    // slots by 2 (two empty slots): a count in block numbers would say 1.
    const slots = [...every(6, 9), ...every(17, 40)];
    const r = judge(slots, [crash(10, 15)], { lag: 2 });
    expect(r.para.recoveredWithinRelayBlocks).toBe(3);
    expect(r.para.stalls).toEqual([{ fromRelayBlock: 10, toRelayBlock: 16 }]);
    expect(r.failures).toEqual([]);
  });

  it("the last fault counts: an earlier one's recovery does not", () => {
    const slots = [...every(6, 9), ...every(17, 20), ...every(33, 40)];
    const r = judge(slots, [crash(10, 15), crash(22, 25)]);
    expect(r.para.recoveredWithinRelayBlocks).toBe(9);
    expect(r.failures).toEqual([
      "para 2000 included again 9 relay slots after the last fault ended at slot 25, more than 8",
    ]);
  });

  it("exactly the bound passes, one slot more fails", () => {
    expect(judge([...every(6, 9), ...every(22, 40)], [crash(10, 15)]).para).toMatchObject({
      recoveredWithinRelayBlocks: 8,
      failure: null,
    });
    expect(judge([...every(6, 9), ...every(23, 40)], [crash(10, 15)]).para.failure).not.toBeNull();
  });

  it("never including again after the last fault fails once the bound has passed in the run", () => {
    const r = judge(every(6, 12), [crash(10, 15)]);
    expect(r.para.recoveredWithinRelayBlocks).toBeNull();
    expect(r.failures).toEqual([
      "para 2000 did not include again within 8 relay slots after the last fault ended at slot 15",
    ]);
    // The run ends before the bound: undecided, not a failure.
    expect(judge(every(6, 12), [crash(10, 35)]).failures).toEqual([]);
  });

  it("a para that includes nothing in the measured slots fails, faults or not", () => {
    const none = judgeLiveness({
      inclusions: new Map([[2000, at(every(1, 40))]]),
      paraIds: [2000, 2001],
      faults: [],
      livenessRelayBlocks: 8,
      measured: { fromSlot: 6, toSlot: 40 },
    });
    expect(none.get(2001)).toEqual({
      stalls: [{ fromRelayBlock: 6, toRelayBlock: 40 }],
      recoveredWithinRelayBlocks: null,
      failure: "para 2001 included nothing in relay slots 6..40",
    });
    expect(livenessFailures(none)).toEqual(["para 2001 included nothing in relay slots 6..40"]);
  });

  it("a session change (for 0) ends at its own slot", () => {
    const r = judge(every(6, 40), [{ at: 20, for: 0, until: 20, kind: "session-change" }]);
    expect(r.para.recoveredWithinRelayBlocks).toBe(1);
  });
});
