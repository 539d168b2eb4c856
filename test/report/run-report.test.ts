import { describe, expect, it } from "vitest";
import { repeatByte } from "../../src/lib/hex.ts";
import {
  type BlockFacts,
  buildRunReport,
  type ReportEvent,
  stats,
} from "../../src/report/run-report.ts";

const h = (i: number) => repeatByte(i);

/** A para that gets one candidate backed every `every` relay blocks, included one block later. */
function steadyRun(
  every: number,
  blocks: number,
  weightUs: number,
  extra: readonly BlockFacts[] = [],
) {
  const events: ReportEvent[] = [];
  const facts = new Map<string, BlockFacts>(extra.map((f) => [f.headHash, f]));
  let k = 1;
  for (let b = 1; b <= blocks; b += every) {
    const head = h(k);
    facts.set(head, {
      paraId: 2000,
      headHash: head,
      parentHeadHash: h(k - 1),
      number: k,
      timestampMs: b * 6000,
      weightUs,
      authoredAtUs: (b - 1) * 6_000_000 + 500_000,
      transactions: 100,
      povBytes: 1000,
      poolCursor: k * 100,
    });
    events.push({
      relayBlock: b,
      type: "CandidateBacked",
      paraId: 2000,
      candidateHash: h(100 + k),
      core: 0,
      headHash: head,
    });
    if (b + 1 <= blocks) {
      events.push({
        relayBlock: b + 1,
        type: "CandidateIncluded",
        paraId: 2000,
        candidateHash: h(100 + k),
        core: 0,
        headHash: head,
      });
    }
    k++;
  }
  events.sort((a, b) => a.relayBlock - b.relayBlock);
  return buildRunReport({
    name: "t",
    seed: 1,
    relayBlocks: blocks - 5,
    warmupRelayBlocks: 5,
    slotDurationMs: 6000,
    generation: "current",
    paraIds: [2000],
    maxExecutionMsPerBlock: new Map([[2000, 2000]]),
    maxPovSizeBytes: 10_000,
    // Transaction i arrives at i x 60 ms: 100 per relay slot, as the blocks take them.
    txArrivalUs: new Map([[2000, (i: number) => i * 60_000]]),
    events,
    blocks: facts,
  });
}

describe("run report", () => {
  it("counts the para blocks authored in the measured slots and the forks among them", () => {
    expect(steadyRun(1, 65, 1).paras["2000"]!.authored).toEqual({ blocks: 59, forks: 0 });
    // Siblings of blocks 20..29 (same parent, authored 1 s later), never backed; one more
    // sibling of block 1, authored during the warm-up, is not counted.
    const sibling = (k: number, atUs: number): BlockFacts => ({
      paraId: 2000,
      headHash: h(200 + k),
      parentHeadHash: h(k - 1),
      number: k,
      timestampMs: 0,
      transactions: 0,
      povBytes: 0,
      poolCursor: 0,
      weightUs: 1,
      authoredAtUs: atUs,
    });
    const extra = [sibling(1, 1_500_000)];
    for (let k = 20; k < 30; k++) extra.push(sibling(k, (k - 1) * 6_000_000 + 1_500_000));
    const other: BlockFacts = { ...sibling(40, 250_000_000), paraId: 2001 };
    const r = steadyRun(1, 65, 1, [...extra, other]);
    expect(r.paras["2000"]!.authored).toEqual({ blocks: 69, forks: 10 });
    // Wasted work: the ten siblings lost their fork (the warm-up one is not measured, the other
    // para's is not this para's).
    expect(r.paras["2000"]!.wastedBlocks).toBe(10);
    expect(steadyRun(1, 65, 1).paras["2000"]!.wastedBlocks).toBe(0);
    expect(r.paras["2000"]!.maxExecutionMsPerBlock).toBe(2000);
    expect(r.generation).toBe("current");
  });

  it("measures the load: transactions per second, PoV share, latency from arrival to inclusion", () => {
    const p = steadyRun(1, 65, 2_000_000).paras["2000"]!;
    expect(p.transactionsPerSecond).toBeCloseTo(6000 / 360, 3); // 60 blocks of 100 in 360 s
    expect(p.povShareOfMax).toEqual({ mean: 0.1, max: 0.1 });
    // Block k holds transactions (k-1)*100 + j, arrived at ((k-1)*100 + j) x 60 ms, and is
    // included at the slot start of relay block k + 1: 12 s - 60 ms x j, j = 0..99.
    expect(p.txLatencyMs).toEqual({ mean: 9030, p95: 11_700 });
  });

  it("measures a para included every relay block", () => {
    const r = steadyRun(1, 65, 2_000_000);
    const p = r.paras["2000"]!;
    expect(r.virtualMs).toBe(390_000);
    expect(p.backed).toBe(60);
    expect(p.included).toBe(60);
    expect(p.inclusionIntervalMs).toBe(6000);
    expect(p.blockTimeMs).toEqual({ mean: 6000, p50: 6000, p95: 6000, max: 6000 });
    expect(p.backedPer15RelayBlocks).toEqual({ min: 15, max: 15, windows: 4 });
    expect(p.executionMsPerBlock).toEqual({ mean: 2000 });
    expect(p.executionMsPerRelayBlock).toBe(2000);
    expect(p.unincludedSegment.max).toBe(2); // one pending availability, one about to be backed
  });

  it("measures a para included every other relay block", () => {
    const r = steadyRun(2, 65, 500_000);
    const p = r.paras["2000"]!;
    expect(p.inclusionIntervalMs).toBe(12000);
    expect(p.blockTimeMs?.mean).toBe(12000);
    expect(p.executionMsPerRelayBlock).toBe(250);
    expect(p.backedPer15RelayBlocks?.min).toBe(7);
    expect(p.backedPer15RelayBlocks?.max).toBe(8);
  });

  it("counts windows as half-open ranges fully after warm-up", () => {
    const r = steadyRun(1, 5 + 44, 1000);
    expect(r.paras["2000"]!.backedPer15RelayBlocks?.windows).toBe(2);
  });

  it("reports nothing measured as nulls, not zeros presented as figures", () => {
    const r = buildRunReport({
      name: "e",
      seed: 1,
      relayBlocks: 10,
      warmupRelayBlocks: 0,
      slotDurationMs: 6000,
      generation: "2024",
      paraIds: [1],
      maxExecutionMsPerBlock: new Map([[1, 500]]),
      maxPovSizeBytes: 10_000,
      txArrivalUs: new Map(),
      events: [],
      blocks: new Map(),
    });
    expect(r.paras["1"]!.blockTimeMs).toBeNull();
    expect(r.paras["1"]!.inclusionIntervalMs).toBeNull();
  });

  it("computes nearest-rank percentiles", () => {
    expect(stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ mean: 5.5, p50: 5, p95: 10, max: 10 });
    expect(stats([])).toBeNull();
  });
});
