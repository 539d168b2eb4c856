/**
 * Whole-network scenarios: the seed table and Parity's windows (NUMBERS.md), measured from the
 * simulated protocol with tolerance windows. Nothing here is configured to give the answer: the
 * block times come out of backing, availability and inclusion as the relay chain runs them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { RunOutcome } from "../../src/report/run.ts";
import { orphaned, run } from "./helpers.ts";

const para = (o: ReturnType<typeof run>) => o.report.paras["2000"]!;

/** A preset's run (65 relay blocks, sr25519) can take longer than vitest's 10 s hook default. */
const RUN_TIMEOUT_MS = 120_000;

describe("sync backing preset", () => {
  let o: RunOutcome;
  beforeAll(() => {
    o = run({ preset: "sync" });
  }, RUN_TIMEOUT_MS);
  it("includes a parablock every ~12 s with 0.5 s of execution", () => {
    expect(para(o).inclusionIntervalMs).toBeGreaterThanOrEqual(11_500);
    expect(para(o).inclusionIntervalMs).toBeLessThanOrEqual(12_500);
    expect(para(o).executionMsPerBlock!.mean).toBeGreaterThan(450);
    expect(para(o).executionMsPerBlock!.mean).toBeLessThanOrEqual(500);
  });
  it("backs 5..9 candidates in every window of 15 relay blocks (Parity's sync window)", () => {
    const w = para(o).backedPer15RelayBlocks!;
    expect(w.windows).toBe(4);
    expect(w.min).toBeGreaterThanOrEqual(5);
    expect(w.max).toBeLessThan(9);
  });
  it("keeps every safety invariant", () => {
    expect(o.report.safety.violations).toEqual([]);
  });
});

describe("async backing preset", () => {
  let o: RunOutcome;
  beforeAll(() => {
    o = run({ preset: "async" });
  }, RUN_TIMEOUT_MS);
  it("includes a parablock every ~6 s with 2 s of execution", () => {
    expect(para(o).inclusionIntervalMs).toBeGreaterThanOrEqual(5_700);
    expect(para(o).inclusionIntervalMs).toBeLessThanOrEqual(6_500);
    expect(para(o).executionMsPerBlock!.mean).toBeGreaterThan(1_900);
    expect(para(o).executionMsPerBlock!.mean).toBeLessThanOrEqual(2_000);
  });
  it("backs 11..16 candidates in every window of 15 relay blocks (Parity's async window)", () => {
    const w = para(o).backedPer15RelayBlocks!;
    expect(w.min).toBeGreaterThanOrEqual(11);
    expect(w.max).toBeLessThan(16);
  });
  it("gives about 8x the compute throughput of sync backing, 2x blocks and 4x execution each", () => {
    const sync = para(run({ preset: "sync" }));
    const asyncP = para(o);
    const compute = asyncP.executionMsPerRelayBlock / sync.executionMsPerRelayBlock;
    expect(compute).toBeGreaterThan(7);
    expect(compute).toBeLessThan(9);
    expect(sync.inclusionIntervalMs! / asyncP.inclusionIntervalMs!).toBeGreaterThan(1.8);
    expect(asyncP.executionMsPerBlock!.mean / sync.executionMsPerBlock!.mean).toBeGreaterThan(3.8);
  });
  it("keeps every safety invariant", () => {
    expect(o.report.safety.violations).toEqual([]);
  });
});

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

describe("elastic scaling with one collator (Parity's zombienet setup)", () => {
  it("elastic-3: 34..46 backed per 15 relay blocks, blocks every ~2 s", () => {
    const o = run({ preset: "elastic-3", parachains: [{ id: 2000, collators: 1 }] });
    const w = para(o).backedPer15RelayBlocks!;
    expect(w.min).toBeGreaterThanOrEqual(34);
    expect(w.max).toBeLessThan(46);
    expect(para(o).inclusionIntervalMs).toBeLessThan(2_300);
    expect(orphaned(o)).toBe(0);
    expect(o.report.safety.violations).toEqual([]);
  });
  it("elastic-12: 144..181 backed per 15 relay blocks", () => {
    const o = run({ preset: "elastic-12", parachains: [{ id: 2000, collators: 1 }] });
    const w = para(o).backedPer15RelayBlocks!;
    expect(w.min).toBeGreaterThanOrEqual(144);
    expect(w.max).toBeLessThan(181);
    expect(o.report.safety.violations).toEqual([]);
    // Chained candidates from different relay parents can commit to the same core: counted, not hidden.
    expect(o.report.safety.coreConflictDrops).toBeGreaterThan(0);
  });
});

describe("elastic scaling with the presets' two collators", () => {
  it("forks at every Aura handover: the next author cannot import the previous author's last full block in time", () => {
    const two = run({ preset: "elastic-3" });
    const one = run({ preset: "elastic-3", parachains: [{ id: 2000, collators: 1 }] });
    expect(orphaned(two)).toBeGreaterThan(10);
    expect(para(two).included).toBeLessThan(para(one).included);
    expect(two.report.safety.violations).toEqual([]);
  });
  it("hands over without forks once build + transfer + import of the last block fit in the 2 s interval", () => {
    // 900 ms blocks: the last block of a slot is built and imported by the next author within
    // 1.8 s plus its transfer, before the next author's first tick 2 s after it started.
    const o = run({
      preset: "elastic-3",
      parachains: [{ id: 2000, runtime: { maximumBlockWeightMs: 900 } }],
    });
    const w = para(o).backedPer15RelayBlocks!;
    expect(para(o).authored.forks).toBe(0);
    expect(w.min).toBeGreaterThanOrEqual(34);
    expect(w.max).toBeLessThan(46);
    expect(o.report.safety.violations).toEqual([]);
  });
});

describe("a lossy network", () => {
  it("shows the availability edge: offered by the provisioner (3k >= 2n), refused by the runtime", () => {
    const o = run({ preset: "async", network: { loss: 0.1 } });
    expect(o.report.safety.availabilityEdgeDrops).toBeGreaterThan(0);
    expect(o.report.safety.violations).toEqual([]);
    expect(para(o).inclusionIntervalMs).toBeGreaterThan(6_000); // lost chunks cost blocks
  });
});
