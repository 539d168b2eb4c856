import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repeatByte } from "../../src/lib/hex.ts";
import {
  type ApprovalRecord,
  type BlockFacts,
  buildRunReport,
  type FinalitySample,
  type ReportEvent,
  type RunReportInput,
  stats,
  streamedMeanP95,
} from "../../src/report/run-report.ts";
import { livenessNote, summaryTables } from "../../src/report/summary.ts";

const h = (i: number) => repeatByte(i);

/** A para that gets one candidate backed every `every` relay blocks, included one block later. */
function steadyRun(
  every: number,
  blocks: number,
  weightUs: number,
  extra: readonly BlockFacts[] = [],
  records: Pick<
    RunReportInput,
    "approvals" | "finality" | "faults" | "livenessRelayBlocks" | "slotOf"
  > = {},
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
    txArrivalUs: new Map([[2000, () => (i: number) => i * 60_000]]),
    events,
    blocks: facts,
    ...records,
  });
}

/** An approval record of para 2000 (candidate `k` of `steadyRun`, included at relay block `at`). */
const approval = (
  k: number,
  at: number,
  approvalMs: number | null,
  tranchesNeeded: number | null,
  noShows = 0,
  paraId = 2000,
): ApprovalRecord => ({
  paraId,
  candidateHash: h(100 + k),
  includedAtBlock: at,
  approvalMs,
  tranchesNeeded,
  noShows,
});

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

  it("measures approval over the candidates included in the measured blocks", () => {
    // Measured: relay blocks 6..65. Candidate k is included at relay block k + 1.
    const approvals: ApprovalRecord[] = [
      approval(4, 5, 100_000, 9, 7), // warm-up (block 5): not counted
      approval(9, 10, 3000, 2, 1),
      approval(5, 6, 2000, 0), // the first measured block
      approval(7, 8, null, null, 4), // not approved by the end
      approval(6, 7, 4000, 1, 2, 2001), // another para's
    ];
    // Twenty approvals of 1000..20000 ms at blocks 20..39, tranche 0; the last measured block
    // holds one of 12000 ms, tranche 3; block 66 is after the measured blocks.
    for (let i = 1; i <= 20; i++) approvals.push(approval(18 + i, 19 + i, i * 1000, 0));
    approvals.push(approval(64, 65, 12_000, 3), approval(65, 66, 90_000, 8, 5));
    const r = steadyRun(1, 65, 1, [], { approvals });
    const p = r.paras["2000"]!;
    // 23 approved: 2000, 3000, 1000..20000, 12000; sum 227000; nearest-rank p95 = the 22nd.
    expect(p.approvalMs).toEqual({ mean: 9869.565, p95: 19_000 });
    expect(p.approval.tranchesNeeded).toEqual({ mean: 0.217, max: 3 }); // (2 + 3) / 23
    expect(p.approval.noShows).toBe(5); // 1 + 4: the unapproved one's count too
    expect(p.approval.unapproved).toBe(1);
    // By inclusion block, then in input order; without the para id.
    expect(p.approval.candidates.map((c) => c.includedAtBlock)).toEqual([
      6,
      8,
      10,
      ...Array.from({ length: 20 }, (_, i) => 20 + i),
      65,
    ]);
    expect(p.approval.candidates[1]).toEqual({
      includedAtBlock: 8,
      candidateHash: h(107),
      approvalMs: null,
      tranchesNeeded: null,
      noShows: 4,
    });
    expect(Object.keys(p).slice(6, 9)).toEqual(["availability", "approvalMs", "approval"]);

    // Within one inclusion block the input order stands.
    const two = steadyRun(1, 65, 1, [], {
      approvals: [approval(30, 31, 5000, 1), approval(20, 21, 1, 0), approval(29, 31, 4000, 0)],
    }).paras["2000"]!.approval.candidates;
    expect(two.map((c) => c.candidateHash)).toEqual([h(120), h(130), h(129)]);
  });

  it("reports approval as not measured when nothing was approved or nothing recorded", () => {
    const none = steadyRun(1, 65, 1).paras["2000"]!;
    expect(none.approvalMs).toBeNull();
    expect(none.approval).toEqual({
      tranchesNeeded: null,
      noShows: 0,
      unapproved: 0,
      candidates: [],
    });
    const unapproved = steadyRun(1, 65, 1, [], {
      approvals: [approval(10, 11, null, null, 3), approval(11, 12, null, null, 2)],
    }).paras["2000"]!;
    expect(unapproved.approvalMs).toBeNull();
    expect(unapproved.approval.tranchesNeeded).toBeNull();
    expect(unapproved.approval.noShows).toBe(5);
    expect(unapproved.approval.unapproved).toBe(2);
    expect(unapproved.approval.candidates).toHaveLength(2);
  });

  it("measures the finality lag over the samples at the measured blocks", () => {
    const finality: FinalitySample[] = [];
    // Warm-up samples (blocks 1..5) of lag 50 and one after the end (66): not counted.
    for (let b = 1; b <= 66; b++) {
      const lagBlocks = b <= 5 || b === 66 ? 50 : b % 4 === 0 ? 3 : 2;
      finality.push({ relayBlock: b, lagBlocks, lagMs: lagBlocks * 6000 });
    }
    const r = steadyRun(1, 65, 1, [], { finality });
    // Blocks 6..65: 15 multiples of 4 (lag 3), 45 others (lag 2): mean 2.25.
    expect(r.finality).toEqual({
      lagBlocks: { mean: 2.25, max: 3 },
      lagMs: { mean: 13_500, max: 18_000 },
    });
    expect(Object.keys(r).slice(5, 7)).toEqual(["virtualMs", "finality"]);
    expect(steadyRun(1, 65, 1).finality).toBeNull();
    // Samples, but none at a measured block.
    const early = steadyRun(1, 65, 1, [], {
      finality: [{ relayBlock: 5, lagBlocks: 1, lagMs: 1 }],
    });
    expect(early.finality).toBeNull();
  });

  it("prints approval and finality in the summary", () => {
    const r = steadyRun(1, 65, 1, [], {
      approvals: [
        approval(9, 10, 3000, 2, 1),
        approval(10, 11, 4500, 1),
        approval(7, 8, null, null, 4),
      ],
      finality: [
        { relayBlock: 10, lagBlocks: 2, lagMs: 12_000 },
        { relayBlock: 11, lagBlocks: 3, lagMs: 18_000 },
      ],
    });
    const row = (report: typeof r, label: string) =>
      summaryTables([report])[0]!.rows.find((x) => x[0] === label)?.[1];
    expect(row(r, "approval, included to approved (mean / p95)")).toBe("3.75 s / 4.50 s");
    expect(row(r, "approval: tranches needed (mean / max), no-shows")).toBe("1.50 / 2, 5");
    expect(row(r, "finality lag (mean / max)")).toBe("2.5 / 3 blocks, 15.00 s / 18.00 s");
    const old = steadyRun(1, 65, 1);
    expect(row(old, "approval, included to approved (mean / p95)")).toBe("-");
    expect(row(old, "approval: tranches needed (mean / max), no-shows")).toBe("-, 0");
    expect(row(old, "finality lag (mean / max)")).toBe("-");
    // Beside the availability rows.
    const labels = summaryTables([r])[0]!.rows.map((x) => x[0]);
    expect(labels.indexOf("approval, included to approved (mean / p95)")).toBe(
      labels.indexOf("availability: chunks fetched / data moved") + 1,
    );
  });

  it("computes nearest-rank percentiles", () => {
    expect(stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual({ mean: 5.5, p50: 5, p95: 10, max: 10 });
    expect(stats([])).toBeNull();
  });

  it("streams the mean and p95 exactly as stats computes them from the held values", () => {
    const streamed = (xs: readonly number[]) => {
      let passes = 0;
      const r = streamedMeanP95((visit) => {
        passes++;
        for (const x of xs) visit(x);
      });
      expect(passes).toBe(xs.length === 0 ? 1 : 2);
      return r;
    };
    const held = (xs: readonly number[]) => {
      const s = stats(xs);
      return s === null ? null : { mean: s.mean, p95: s.p95 };
    };
    // Latencies in ms with µs fractions, spread over many first-pass buckets (65.536 ms each) or
    // packed in a few, with ties; and sizes around the 95 % rank's steps.
    const latency = fc.oneof(
      fc.double({ min: -5, max: 1e6, noNaN: true }),
      fc.integer({ min: 0, max: 400_000 }).map((us) => us / 1000 + 0.0004),
      fc.constantFrom(0, 65.536, 65.5355, 131.072, 6000, 12000.0005),
    );
    fc.assert(
      // As the report prints them (JSON: a rounded -0 prints as 0).
      fc.property(fc.array(latency, { maxLength: 300 }), (xs) => {
        expect(JSON.stringify(streamed(xs))).toBe(JSON.stringify(held(xs)));
      }),
      { numRuns: 500 },
    );
    const many = Array.from({ length: 100_000 }, (_, i) => ((i * 7919) % 100_003) / 7 + 6000);
    expect(streamed(many)).toEqual(held(many));
  });
});

describe("faults and liveness in the run report", () => {
  it("a run without faults reports none, each para's stalls, and no summary line", () => {
    const r = steadyRun(1, 30, 1000);
    expect(r.faults).toEqual([]);
    expect(r.liveness).toEqual({
      "2000": { stalls: [], recoveredWithinRelayBlocks: null, failure: null },
    });
    expect(livenessNote(r)).toBeNull();
    expect(Object.keys(r).slice(7, 10)).toEqual(["paras", "faults", "liveness"]);
  });

  it("judges in slots: blocks lagging their slots, stalls and recovery from the last fault", () => {
    // One candidate every 5 blocks: included at blocks 2, 7, 12, ...; block n is slot n + 2
    // after block 10 (two empty slots).
    const crash = {
      at: 11,
      for: 2,
      until: 13,
      kind: "crash" as const,
      validators: [1],
      loseStore: false,
    };
    const r = steadyRun(5, 30, 1000, [], {
      faults: [crash],
      livenessRelayBlocks: 8,
      slotOf: (n) => (n > 10 ? n + 2 : n),
    });
    expect(r.faults).toEqual([crash]);
    // Inclusions at slots 7, 14, 19, 24, 29 (blocks 7, 12, 17, 22, 27); measured slots 6..30.
    expect(r.liveness["2000"]).toEqual({
      stalls: [
        { fromRelayBlock: 8, toRelayBlock: 13 },
        { fromRelayBlock: 15, toRelayBlock: 18 },
        { fromRelayBlock: 20, toRelayBlock: 23 },
        { fromRelayBlock: 25, toRelayBlock: 28 },
      ],
      recoveredWithinRelayBlocks: 2,
      failure: null,
    });
    expect(livenessNote(r)).toBe(
      "faults (t): 1 fault (crash 11..13); para 2000: stalls #8..#13, #15..#18, #20..#23, #25..#28, included again within 2 relay blocks",
    );
  });

  it("a para including nothing in the measured blocks fails liveness, and the line says so", () => {
    const r = steadyRun(1, 30, 1000, [], { slotOf: () => 1 });
    expect(r.liveness["2000"]!.failure).toBe("para 2000 included nothing in relay slots 6..30");
    expect(livenessNote(r)).toContain("LIVENESS: para 2000 included nothing");
  });
});
