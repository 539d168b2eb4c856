/**
 * The upgrade guide rehearsed (issue 17): the default rehearsal (async relay chain, the sync
 * preset's para, phases 1-3 at relay blocks 20, 50, 80), a wrong order, the slot-duration changes
 * in both directions, and a capacity raised without the consensus hook. Outcomes come from the
 * simulated runtime and relay chain; each test states the rule that decides it.
 */
import { describe, expect, it } from "vitest";
import { defaultRehearsal } from "../../src/cli/upgrade.ts";
import { PRESETS } from "../../src/config/presets.ts";
import { rehearsal, ruleOfPanic } from "../../src/report/upgrade.ts";
import { run, scenario } from "./helpers.ts";

function rehearse(input: Record<string, unknown>, initial = "sync") {
  const withCrypto = { ...input, crypto: "none" };
  return rehearsal(scenario(withCrypto), run(withCrypto), initial);
}

describe("the default rehearsal: phases 1, 2, 3 at relay blocks 20, 50, 80", () => {
  const r = rehearse(defaultRehearsal([1, 2, 3]));
  const phase = (name: string) => r.phases.find((p) => p.name === name)!;

  it("keeps about 12 s through phases 1 and 2 and about 6 s after phase 3, with no stall or panic", () => {
    expect(r.phases.map((p) => p.name)).toEqual(["sync", "phase-1", "phase-2", "phase-3"]);
    for (const name of ["sync", "phase-1", "phase-2"]) {
      expect(phase(name).blockTimeMs!.mean, name).toBeCloseTo(12_000, -2);
    }
    expect(phase("phase-3").blockTimeMs!.mean).toBeGreaterThan(5_800);
    expect(phase("phase-3").blockTimeMs!.mean).toBeLessThan(6_500);
    expect(r.stalls).toEqual([]);
    expect(r.panics).toEqual([]);
  });

  it("measures each phase from where it took effect", () => {
    // A collator phase from its restart; a runtime phase from the relay chain's expected_at,
    // at least minimumValidationUpgradeDelay (12) after it was scheduled at or after `at`.
    expect(phase("phase-2").fromRelayBlock).toBe(50);
    expect(phase("phase-1").fromRelayBlock).toBeGreaterThanOrEqual(20 + 12);
    expect(phase("phase-3").fromRelayBlock).toBeGreaterThanOrEqual(80 + 12);
    expect(phase("phase-3").executionMsPerRelayBlock).toBeGreaterThan(
      4 * phase("phase-2").executionMsPerRelayBlock!,
    );
  });
});

describe("phase 3 first (--order 3,1,2): phase 1 then lengthens the slot 6 s -> 12 s", () => {
  const r = rehearse(defaultRehearsal([3, 1, 2]));

  it("bricks the chain: every later block panics with pallet_aura's slot check, a stall to the end", () => {
    expect(r.phases.map((p) => p.name)).toEqual(["sync", "phase-3", "phase-1", "phase-2"]);
    expect(r.panics.length).toBeGreaterThan(10);
    expect(new Set(r.panics.map((p) => p.message))).toEqual(new Set(["Slot must increase"]));
    expect(ruleOfPanic("Slot must increase")).toMatch(/pallet_aura on_initialize/);
    const phase1 = r.phases.find((p) => p.name === "phase-1")!;
    expect(r.stalls).toHaveLength(1);
    expect(r.stalls[0]!.fromRelayBlock).toBeGreaterThan(phase1.fromRelayBlock!);
    expect(r.stalls[0]!.toRelayBlock).toBe(125);
    // Phase 3's runtime with the basic collator still running: blocks stay at 12 s.
    expect(r.phases.find((p) => p.name === "phase-3")!.blockTimeMs!.mean).toBeCloseTo(12_000, -2);
  });
});

describe("phase 3's runtime before phase 2's collator (--order 1,3,2)", () => {
  it("breaks nothing: the basic collator builds on the included block only, so 12 s until the restart, then 6 s", () => {
    const r = rehearse(defaultRehearsal([1, 3, 2]));
    const phase3 = r.phases.find((p) => p.name === "phase-3")!;
    const phase2 = r.phases.find((p) => p.name === "phase-2")!;
    expect(phase3.blockTimeMs!.mean).toBeCloseTo(12_000, -2);
    expect(phase2.blockTimeMs!.mean).toBeLessThan(6_500);
    expect(r.stalls).toEqual([]);
    expect(r.panics).toEqual([]);
  });
});

describe("Aura's slot checks on a slot-duration change", () => {
  const async = PRESETS.async.parachains[0]!;
  it("12 s -> 6 s works: slot numbers (timestamp / duration) double, so they still increase", () => {
    // The guide's phase 3 under its own warning ("will brick block production").
    const r = rehearse(
      {
        preset: "async",
        relayBlocks: 80,
        parachains: [{ ...async, runtime: { ...async.runtime, slotDurationMs: 12_000 } }],
        upgrades: [{ at: 20, runtime: { slotDurationMs: 6000 } }],
      },
      "given",
    );
    expect(r.panics).toEqual([]);
    expect(r.stalls).toEqual([]);
    expect(r.phases[1]!.blockTimeMs!.mean).toBeLessThan(6_500);
  });

  it("6 s -> 12 s stalls the chain: slot numbers halve and pallet_aura panics until they catch up", () => {
    const r = rehearse(
      {
        preset: "async",
        relayBlocks: 80,
        upgrades: [{ at: 20, runtime: { slotDurationMs: 12_000 } }],
      },
      "given",
    );
    // AllowMultipleBlocksPerSlot = true in the async runtime: "Slot must not decrease". The last
    // good block's slot S counts 6 s slots (about its relay slot); the next accepted block needs a
    // 12 s slot >= S, i.e. relay slot >= 2 S: the chain stalls for as long as it had run (here
    // about 35 relay blocks; on a live chain, its whole age: bricked).
    expect(new Set(r.panics.map((p) => p.message))).toEqual(new Set(["Slot must not decrease"]));
    expect(r.stalls).toHaveLength(1);
    const stall = r.stalls[0]!;
    const applied = r.phases[1]!.fromRelayBlock!;
    expect(stall.fromRelayBlock).toBeGreaterThanOrEqual(applied);
    expect(stall.toRelayBlock + 1).toBeGreaterThanOrEqual(2 * applied);
    expect(stall.toRelayBlock - stall.fromRelayBlock + 1).toBeGreaterThan(30);
  });
});

describe("phase 3 without AllowMultipleBlocksPerSlot = true", () => {
  it("keeps 6 s blocks but the lookahead collator's second block per slot panics in every relay block", () => {
    const r = rehearse(
      {
        ...defaultRehearsal([1, 2]),
        upgrades: [
          { at: 20, phase: 1 },
          { at: 50, phase: 2 },
          // Phase 3's runtime but AllowMultipleBlocksPerSlot left false (phase 1's value).
          {
            at: 80,
            runtime: {
              unincludedSegmentCapacity: 3,
              slotDurationMs: 6000,
              maximumBlockWeightMs: 2000,
            },
          },
        ],
      },
      "given",
    );
    expect(r.stalls).toEqual([]);
    expect(r.phases[3]!.blockTimeMs!.mean).toBeLessThan(7_000);
    expect(new Set(r.panics.map((p) => p.message))).toEqual(new Set(["Slot must increase"]));
    expect(r.panics.length).toBeGreaterThan(20);
  });
});

describe("capacity raised without the consensus hook", () => {
  it("changes nothing: ExpectParentIncluded gives capacity 1 whatever UNINCLUDED_SEGMENT_CAPACITY says", () => {
    const r = rehearse(
      {
        preset: "async",
        relayBlocks: 80,
        parachains: [PRESETS.sync.parachains[0]],
        upgrades: [
          {
            at: 20,
            runtime: {
              unincludedSegmentCapacity: 3,
              slotDurationMs: 6000,
              allowMultipleBlocksPerSlot: true,
              checkAssociatedRelayNumber: "monotonic",
            },
          },
        ],
      },
      "given",
    );
    expect(r.panics).toEqual([]);
    expect(r.phases[1]!.blockTimeMs!.mean).toBeCloseTo(12_000, -2);
  });
});
