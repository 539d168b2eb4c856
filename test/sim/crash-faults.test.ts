/**
 * The `crash` and `collator-offline` faults end to end (src/sim/crash-faults.ts): empty slots,
 * a crashed backer's group, restarts with and without the availability store, collators offline.
 * Short async runs (12 validators in two groups of six, one core, 2 collators).
 */
import { describe, expect, it } from "vitest";
import { livenessRelayBlocks, scenarioFaults } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";
import { World } from "../../src/sim/world.ts";
import { run, scenario } from "./helpers.ts";

const BASE = { preset: "async", seed: 1, crypto: "none", warmupRelayBlocks: 2 } as const;

/** The slots of the relay blocks that included a candidate of para 2000. */
function inclusionSlots(world: World): number[] {
  return world.relayBlocks
    .filter((r) => r.events.some((e) => e.kind === "CandidateIncluded"))
    .map((r) => r.header.slot);
}

describe("crash of slot authors", () => {
  // With seed 1 the authors of slots 6, 7 and 8 are v4, v3 and v11.
  const outcome = run(
    {
      ...BASE,
      relayBlocks: 18,
      faults: [{ at: 6, for: 3, kind: "crash", validators: [3, 4, 11], loseStore: false }],
    },
    true,
  );
  const { world, report } = outcome;

  it("leaves their slots empty, and the next slot's author builds on the last block", () => {
    const headers = world.relayBlocks.map((r) => r.header);
    const slots = headers.map((h) => h.slot);
    expect(slots).not.toContain(6);
    expect(slots).not.toContain(7);
    expect(slots).not.toContain(8);
    const five = headers.find((h) => h.number === 5)!;
    const six = headers.find((h) => h.number === 6)!;
    expect(five.slot).toBe(5);
    expect(six.slot).toBe(9);
    expect(six.parentHash).toBe(five.hash);
    // 20 slots, 3 of them empty: block numbers stay consecutive.
    expect(world.chain.tip.header.number).toBe(17);
    expect(world.chain.tip.header.slot).toBe(20);
    expect(headers.map((h) => h.number)).toEqual(headers.map((_, i) => i + 1));
  });

  it("the para keeps including across the empty slots, with no violation", () => {
    const slots = inclusionSlots(world);
    expect(slots.filter((s) => s >= 9 && s <= 12).length).toBeGreaterThan(0);
    expect(report.safety.violations).toEqual([]);
    // The report counts slots (20: 2 of warm-up, 18 measured); events name block numbers.
    expect(report.virtualMs).toBe(20 * 6000);
    expect(report.events.every((e) => e.relayBlock <= 17)).toBe(true);
  });

  it("the restarted validators author their later slots (18, 19, 20)", () => {
    const authors = world.relayBlocks.filter((r) => r.header.slot >= 18).map((r) => r.author);
    expect(authors).toEqual(["v4", "v3", "v11"]);
  });
});

describe("crash of half a backing group", () => {
  // Group 0 ([0..5]) backs core 0 in blocks 2..11 and from 22 on; minimumBackingVotes is 2.
  const input = {
    ...BASE,
    relayBlocks: 28,
    faults: [{ at: 4, for: 5, kind: "crash", validators: [0, 1, 2], loseStore: false }],
  };
  const { world, report } = run(input, true);

  it("the group still backs with the validators that remain", () => {
    // From slot 6 on (a candidate in slot 5's block may carry votes given before the crash).
    const during = world.relayBlocks.filter((r) => r.header.slot >= 6 && r.header.slot <= 9);
    const backed = during.flatMap((r) => r.accepted.backedCandidates);
    expect(backed.length).toBeGreaterThan(0);
    for (const b of backed) {
      // No vote of a crashed validator (positions 0..2 of the group [0..5]).
      expect(b.validatorIndices.slice(0, 3)).toEqual([false, false, false]);
    }
    expect(report.safety.violations).toEqual([]);
  });

  it("the restarted validators back again, and the para includes within livenessRelayBlocks", () => {
    const later = world.relayBlocks.filter((r) => r.header.slot >= 22);
    const votes = later.flatMap((r) => r.accepted.backedCandidates.map((b) => b.validatorIndices));
    expect(votes.some((v) => v[0] || v[1] || v[2])).toBe(true);
    const bound = livenessRelayBlocks(scenario(input));
    expect(inclusionSlots(world).some((s) => s >= 9 && s <= 9 + bound)).toBe(true);
  });
});

describe("approval checking across successive crashes", () => {
  it("finality keeps up while every online validator's vote is needed", () => {
    // v6..v8 crash in slots 5..8, then v0..v2 in slots 9..13 (3 of 12 at a time, f = 3): in the
    // second window the restarted validators' votes are needed too. (Their catch-up on approvals
    // gossiped while they were down is tested on the board: approval-board-restart.test.ts.)
    const { world } = run(
      {
        ...BASE,
        relayBlocks: 18,
        faults: [
          { at: 5, for: 4, kind: "crash", validators: [6, 7, 8], loseStore: false },
          { at: 9, for: 5, kind: "crash", validators: [0, 1, 2], loseStore: false },
        ],
      },
      true,
    );
    const lags = world.finality.samples
      .filter((f) => {
        const slot = world.slotOf(f.relayBlock)!;
        return slot >= 10 && slot <= 13;
      })
      .map((f) => f.lagBlocks);
    expect(lags.length).toBeGreaterThan(0);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2);
  });
});

describe("crash with loseStore", () => {
  it("the restarted node has lost its chunks; the other keeps them", () => {
    // v6 and v7 (group 1: no backing before block 12) crash at slot 8 and restart at 10.
    const s = scenario({
      ...BASE,
      relayBlocks: 10,
      faults: [
        { at: 8, for: 2, kind: "crash", validators: [6], loseStore: true },
        { at: 8, for: 2, kind: "crash", validators: [7], loseStore: false },
      ],
    });
    let held: { lost: number; kept: number; before: number } | null = null;
    const world: World = new World(s, {
      keepHistory: true,
      onRelayBlock: (slot) => {
        if (slot !== 10) return;
        // Candidates included before the crash (their chunks were fetched by every validator).
        const early = world.events
          .filter((e) => e.type === "CandidateIncluded" && e.relayBlock <= 6)
          .map((e) => e.candidateHash);
        held = {
          before: early.length,
          lost: early.filter((h) => world.validators[6]!.availabilityStore.hasChunk(h)).length,
          kept: early.filter((h) => world.validators[7]!.availabilityStore.hasChunk(h)).length,
        };
      },
    });
    world.run();
    expect(held).not.toBeNull();
    const h = held as unknown as { lost: number; kept: number; before: number };
    expect(h.before).toBeGreaterThan(0);
    expect(h.kept).toBe(h.before);
    expect(h.lost).toBe(0);
    expect(world.violations).toEqual([]);
  }, 120_000);
});

describe("collator-offline", () => {
  const authoredIn = (world: World, author: string, fromSlot: number, toSlot: number) =>
    [...world.blocks.values()].filter(
      (b) =>
        b.author === author && b.authoredAtUs >= fromSlot * 6e6 && b.authoredAtUs < toSlot * 6e6,
    ).length;

  it("one of two collators offline: the para keeps going, the collator comes back", () => {
    const { world, report } = run(
      {
        ...BASE,
        relayBlocks: 20,
        faults: [{ at: 5, for: 8, kind: "collator-offline", para: 2000, collators: [0] }],
      },
      true,
    );
    expect(authoredIn(world, "c2000-0", 5, 13)).toBe(0);
    expect(authoredIn(world, "c2000-1", 5, 13)).toBeGreaterThan(0);
    expect(inclusionSlots(world).filter((s) => s >= 6 && s <= 13).length).toBeGreaterThan(2);
    expect(authoredIn(world, "c2000-0", 13, 22)).toBeGreaterThan(0);
    expect(report.safety.violations).toEqual([]);
  });

  it("both offline: the para stalls, and includes again within livenessRelayBlocks after", () => {
    const input = {
      ...BASE,
      relayBlocks: 26,
      faults: [{ at: 5, for: 8, kind: "collator-offline", para: 2000, collators: [0, 1] }],
    };
    const { world, report } = run(input, true);
    const slots = inclusionSlots(world);
    // What was authored before slot 5 is included by slot 8 at the latest; then nothing.
    expect(slots.filter((s) => s >= 9 && s <= 13)).toEqual([]);
    const bound = livenessRelayBlocks(scenario(input));
    expect(slots.some((s) => s > 13 && s <= 13 + bound)).toBe(true);
    expect(report.safety.violations).toEqual([]);
  });
});

describe("a seeded fault plan of crashes and collators offline", () => {
  it("runs within the budget with no violation, and replays to the same trace hash", () => {
    const input = scenario({
      ...BASE,
      relayBlocks: 20,
      faultPlan: { seed: 7, perRelayBlock: 0.3, kinds: ["crash", "collator-offline"] },
    });
    const a = runScenario(input);
    const b = runScenario(input);
    expect(scenarioFaults(input).length).toBeGreaterThan(1);
    expect(a.report.safety.violations).toEqual([]);
    expect(b.report.traceHash).toBe(a.report.traceHash);
  }, 120_000);
});
