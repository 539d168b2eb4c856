/**
 * Whole-network scenarios: the seed table and Parity's windows (NUMBERS.md), measured from the
 * simulated protocol with tolerance windows. Nothing here is configured to give the answer: the
 * block times come out of backing, availability and inclusion as the relay chain runs them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RunOutcome } from "../../src/report/run.ts";
import { seedTableRatios } from "../../src/report/seed-table.ts";
import { orphaned, run } from "./helpers.ts";

const para = (o: ReturnType<typeof run>) => o.report.paras["2000"]!;

/** A preset's run (65 relay blocks, sr25519) can take longer than vitest's 10 s hook default. */
const RUN_TIMEOUT_MS = 120_000;

/** Full blocks (#9686's case): the proposer, the runtime and the import all take the whole weight. */
const FULL_BLOCKS = {
  collator: { proposalTimeFraction: 1 },
  runtime: { normalDispatchRatio: 1, importCostOfWeight: 1 },
};

const window = (o: RunOutcome) => para(o).backedPer15RelayBlocks!;

describe.each(["current", "2024"] as const)(
  "sync and async backing, generation %s",
  (generation) => {
    let sync: RunOutcome;
    let asyncRun: RunOutcome;
    beforeAll(() => {
      sync = run({ preset: "sync", generation });
      asyncRun = run({ preset: "async", generation });
    }, RUN_TIMEOUT_MS);

    it("sync: a parablock every ~12 s, executing below its 500 ms maximum", () => {
      const p = para(sync);
      expect(p.inclusionIntervalMs).toBeGreaterThanOrEqual(11_500);
      expect(p.inclusionIntervalMs).toBeLessThanOrEqual(12_500);
      expect(p.maxExecutionMsPerBlock).toBe(500);
      // The proposer fills 2/3 of the 500 ms authoring duration (C5).
      expect(p.executionMsPerBlock!.mean).toBeGreaterThan(300);
      expect(p.executionMsPerBlock!.mean).toBeLessThan(p.maxExecutionMsPerBlock);
    });
    it("sync: 5..9 backed in every window of 15 relay blocks (Parity's sync window)", () => {
      expect(window(sync).windows).toBe(4);
      expect(window(sync).min).toBeGreaterThanOrEqual(5);
      expect(window(sync).max).toBeLessThan(9);
    });
    it("async: a parablock every ~6 s, executing below its 2 s maximum", () => {
      const p = para(asyncRun);
      expect(p.inclusionIntervalMs).toBeGreaterThanOrEqual(5_700);
      expect(p.inclusionIntervalMs).toBeLessThanOrEqual(6_500);
      expect(p.maxExecutionMsPerBlock).toBe(2000);
      expect(p.executionMsPerBlock!.mean).toBeGreaterThan(1_200);
      expect(p.executionMsPerBlock!.mean).toBeLessThan(p.maxExecutionMsPerBlock);
    });
    it("async: 11..16 backed in every window of 15 relay blocks (Parity's async window)", () => {
      expect(window(asyncRun).min).toBeGreaterThanOrEqual(11);
      expect(window(asyncRun).max).toBeLessThan(16);
    });
    it("the seed table's ratios, measured: 2x blocks, 4x execution per block, 8x per relay block (within 10 %)", () => {
      const r = seedTableRatios(para(asyncRun), para(sync));
      expect(r.parablockRate).toBeGreaterThan(1.8);
      expect(r.parablockRate).toBeLessThan(2.2);
      expect(r.executionTime).toBeGreaterThan(3.6);
      expect(r.executionTime).toBeLessThan(4.4);
      expect(r.computeThroughput).toBeGreaterThan(7.2);
      expect(r.computeThroughput).toBeLessThan(8.8);
    });
    it("keeps every safety invariant", () => {
      expect(sync.report.safety.violations).toEqual([]);
      expect(asyncRun.report.safety.violations).toEqual([]);
    });
  },
);

describe("async backing with unincluded segment capacity 1", () => {
  it("falls back to ~12 s blocks: the capacity rule forbids building on an unincluded parent", () => {
    const o = run({
      preset: "async",
      parachains: [{ id: 2000, runtime: { unincludedSegmentCapacity: 1 } }],
    });
    expect(para(o).inclusionIntervalMs).toBeGreaterThanOrEqual(11_000);
    expect(para(o).inclusionIntervalMs).toBeLessThanOrEqual(13_000);
    expect(para(o).unincludedSegment.max).toBeLessThanOrEqual(2);
    expect(o.report.safety.violations).toEqual([]);
  });
});

describe("elastic scaling with the presets' two collators, current generation", () => {
  it("elastic-3: every window in 34..46, blocks every ~2 s, no forks", () => {
    const o = run({ preset: "elastic-3" });
    expect(window(o).min).toBeGreaterThanOrEqual(34);
    expect(window(o).max).toBeLessThan(46);
    expect(para(o).inclusionIntervalMs).toBeLessThan(2_300);
    expect(para(o).authored.forks).toBe(0);
    expect(o.report.safety.violations).toEqual([]);
  });
  it("elastic-12: every window in 144..181, no forks", () => {
    const o = run({ preset: "elastic-12" });
    expect(window(o).min).toBeGreaterThanOrEqual(144);
    expect(window(o).max).toBeLessThan(181);
    expect(para(o).authored.forks).toBe(0);
    expect(o.report.safety.violations).toEqual([]);
  });
  it("block weight 800 / 900 / 1000 ms: no cliff, never below 34 and no forks", () => {
    for (const w of [800, 900, 1000]) {
      const o = run({
        preset: "elastic-3",
        crypto: "none",
        parachains: [{ id: 2000, runtime: { maximumBlockWeightMs: w } }],
      });
      expect(window(o).min, `${w} ms`).toBeGreaterThanOrEqual(34);
      expect(para(o).authored.forks, `${w} ms`).toBe(0);
    }
  });
});

describe("full blocks with two collators: the handover rule (C4) decides", () => {
  it("elastic-12, current: every window in 144..181 and no forks (the last two ticks of a slot build nothing)", () => {
    const o = run({
      preset: "elastic-12",
      crypto: "none",
      parachains: [{ id: 2000, ...FULL_BLOCKS }],
    });
    expect(window(o).min).toBeGreaterThanOrEqual(144);
    expect(window(o).max).toBeLessThan(181);
    expect(para(o).authored.forks).toBe(0);
    expect(o.report.safety.violations).toEqual([]);
  });
  it("elastic-12, 2024: the next author misses the last block, forks, and windows fall below 144", () => {
    const o = run({
      preset: "elastic-12",
      crypto: "none",
      generation: "2024",
      parachains: [{ id: 2000, ...FULL_BLOCKS }],
    });
    expect(para(o).authored.forks).toBeGreaterThan(10);
    expect(para(o).wastedBlocks).toBeGreaterThan(10);
    expect(window(o).min).toBeLessThan(144);
    expect(o.report.safety.violations).toEqual([]);
  });
});

describe("import cost (C6) and relay block arrival (C7)", () => {
  it("elastic-3 full blocks on current: forks at import cost 1.0 (the 1 s #10154 leaves is used up), none at 0.7", () => {
    const full = (importCostOfWeight: number) =>
      run({
        preset: "elastic-3",
        crypto: "none",
        parachains: [
          { id: 2000, ...FULL_BLOCKS, runtime: { ...FULL_BLOCKS.runtime, importCostOfWeight } },
        ],
      });
    expect(para(full(1)).authored.forks).toBeGreaterThan(10);
    expect(para(full(0.7)).authored.forks).toBe(0);
    expect(window(full(0.7)).min).toBeGreaterThanOrEqual(34);
  });
  it("relay blocks arriving later leave backing less of the slot: elastic-3 backs less", () => {
    const late = run({ preset: "elastic-3", crypto: "none", relay: { blockArrivalDelayMs: 1500 } });
    const onTime = run({ preset: "elastic-3", crypto: "none" });
    expect(para(late).backed).toBeLessThan(para(onTime).backed);
    expect(late.report.safety.violations).toEqual([]);
  });
});

describe.each(["current", "2024"] as const)(
  "scheduling lookahead 1 on async, generation %s",
  (generation) => {
    it("keeps 6 s blocks (the occupied-core rule of pre-1.14 runtimes is gone) but wastes the collators' second block", () => {
      const la = (lookahead: number) =>
        run({
          preset: "async",
          crypto: "none",
          generation,
          relay: { hostConfiguration: { schedulerParams: { lookahead } } },
        });
      expect(para(la(1)).inclusionIntervalMs).toBe(6000);
      expect(para(la(1)).wastedBlocks).toBeGreaterThan(40);
      expect(para(la(2)).wastedBlocks).toBe(0);
    });
  },
);

describe("max_candidate_depth 3 (Polkadot's production value) on three cores", () => {
  const depth3 = (generation: string) =>
    run({
      preset: "elastic-3",
      crypto: "none",
      generation,
      relay: { hostConfiguration: { asyncBackingParams: { maxCandidateDepth: 3 } } },
    });
  it("2024: the fragment chain holds depth + 1 = 4 candidates, pending included: about 30 per 15", () => {
    const w = window(depth3("2024"));
    expect(w.min).toBeGreaterThanOrEqual(27);
    expect(w.max).toBeLessThanOrEqual(33);
  });
  it("current: the bound is the para's cores plus pending, so depth 3 no longer caps: 34..46", () => {
    const w = window(depth3("current"));
    expect(w.min).toBeGreaterThanOrEqual(34);
    expect(w.max).toBeLessThan(46);
  });
});

describe("elastic scaling with one collator (Parity's zombienet setup)", () => {
  it("elastic-3: 34..46 backed per 15 relay blocks, blocks every ~2 s", () => {
    const o = run({ preset: "elastic-3", parachains: [{ id: 2000, collators: 1 }] });
    expect(window(o).min).toBeGreaterThanOrEqual(34);
    expect(window(o).max).toBeLessThan(46);
    expect(para(o).inclusionIntervalMs).toBeLessThan(2_300);
    expect(orphaned(o)).toBe(0);
    expect(o.report.safety.violations).toEqual([]);
  });
});

describe("a lossy network", () => {
  it("shows the availability edge: offered by the provisioner (3k >= 2n), refused by the runtime", () => {
    const o = run({ preset: "async", seed: 3, network: { loss: 0.1 } });
    expect(o.report.safety.availabilityEdgeDrops).toBeGreaterThan(0);
    expect(o.report.safety.violations).toEqual([]);
    expect(para(o).inclusionIntervalMs).toBeGreaterThan(6_000); // lost chunks cost blocks
  });
});
