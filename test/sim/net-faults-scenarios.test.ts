/**
 * Short scenarios (8 validators, async backing, a few relay blocks) under the `partition`,
 * `link`, `slow` and `late-bitfields` faults, met by the honest nodes' own rules: the para keeps
 * going past a partitioned minority, stalls when its backing group is cut off and recovers within
 * `livenessRelayBlocks` of the heal, loss 1.0 on a validator's links is a partition of it, a slow
 * validator's backing validations time out (`pvfExecTimeoutBackingMs`) while its approvals pass
 * (`pvfExecTimeoutApprovalMs`), and late bitfields cost the next block its inclusion.
 */
import { describe, expect, it } from "vitest";
import type { CandidateApprovedInfo } from "../../src/actors/env.ts";
import { livenessRelayBlocks } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";
import { World } from "../../src/sim/world.ts";
import { run, scenario } from "./helpers.ts";

/** Two validators per backing group: groups [0, 1], [2, 3], [4, 5], [6, 7]; group 0 backs blocks 2-11. */
const BASE = {
  preset: "async",
  crypto: "none",
  relay: { validators: 8, hostConfiguration: { schedulerParams: { maxValidatorsPerCore: 2 } } },
} as const;
const SLOW_TEST_MS = 600_000;

/** The relay blocks of a run with a `CandidateIncluded` (para 2000). */
function inclusions(world: { events: readonly { type: string; relayBlock: number }[] }): number[] {
  return [
    ...new Set(world.events.filter((e) => e.type === "CandidateIncluded").map((e) => e.relayBlock)),
  ];
}

describe("partition", () => {
  const minority = [
    [6, 7],
    [0, 1, 2, 3, 4, 5],
  ];

  it(
    "of a minority (not the backing group) keeps the para including during it",
    () => {
      const { world, report } = run({
        ...BASE,
        relayBlocks: 10,
        faults: [{ kind: "partition", at: 5, for: 5, sides: minority }],
      });
      expect(report.safety.violations).toEqual([]);
      const during = inclusions(world).filter((b) => b > 5 && b <= 10);
      expect(during.length).toBeGreaterThanOrEqual(2);
      expect(world.network.messagesDropped).toBeGreaterThan(0);
    },
    SLOW_TEST_MS,
  );

  it(
    "is what loss 1.0 on both directions of the same links does (same trace hash)",
    () => {
      const partitioned = run({
        ...BASE,
        relayBlocks: 10,
        faults: [{ kind: "partition", at: 5, for: 5, sides: minority }],
      });
      const linked = run({
        ...BASE,
        relayBlocks: 10,
        faults: [
          { kind: "link", at: 5, for: 5, from: [6, 7], to: minority[1], loss: 1.0 },
          { kind: "link", at: 5, for: 5, from: minority[1], to: [6, 7], loss: 1.0 },
        ],
      });
      expect(linked.report.traceHash).toBe(partitioned.report.traceHash);
      expect(linked.world.network.messagesDropped).toBe(partitioned.world.network.messagesDropped);
    },
    SLOW_TEST_MS,
  );

  it(
    "that cuts the backing group off stalls the para; failed chunk fetches are retried each block, so it includes again right after the heal",
    () => {
      const input = {
        ...BASE,
        relayBlocks: 14,
        faults: [
          {
            kind: "partition",
            at: 5,
            for: 4,
            sides: [
              [0, 1],
              [2, 3, 4, 5, 6, 7],
            ],
          },
        ],
      };
      const { world, report } = run(input);
      expect(report.safety.violations).toEqual([]);
      const included = inclusions(world);
      // Before: every block includes. During and right after: nothing (the candidate backed
      // before the cut never becomes available to the other side: its chunks are the backers').
      expect(included.filter((b) => b <= 5)).toEqual([3, 4, 5]);
      const heal = 5 + 4;
      expect(included.filter((b) => b > 5 && b <= heal)).toEqual([]);
      // The fetches that failed during the cut are started again at each new block while the
      // candidate is pending (polkadot-sdk's requester: "retry on next block still pending
      // availability"): the candidate backed before the cut is included in the block after the
      // heal, well within livenessRelayBlocks, without timing out.
      const recovered = included.find((b) => b > heal);
      expect(recovered).toBe(heal + 1);
      expect(recovered! - heal).toBeLessThanOrEqual(livenessRelayBlocks(scenario(input)));
      expect(world.events.some((e) => e.type === "CandidateTimedOut")).toBe(false);
    },
    SLOW_TEST_MS,
  );
});

describe("slow", () => {
  it(
    "a validator 4x slow times out its backing validations (2.5 s) but passes its approval checks (15 s)",
    () => {
      // Groups of 4 ([0..3], [4..7]), 2 backing votes needed: group 0 backs without validator 0.
      const input = {
        ...BASE,
        relay: {
          validators: 8,
          hostConfiguration: { schedulerParams: { maxValidatorsPerCore: 4 } },
        },
        relayBlocks: 7,
        faults: [{ kind: "slow", at: 4, for: 6, validators: [0], speed: 4 }],
      };
      const invalid: { actor: string; reason: unknown }[] = [];
      const world = new World(scenario(input), {
        keepHistory: true,
        logLevel: "debug",
        logSink: (_line, r) => {
          if (r.message === "Validation yielded an invalid candidate") {
            invalid.push({ actor: r.actor, reason: r.fields?.reason });
          }
        },
      });
      const approved: CandidateApprovedInfo[] = [];
      const record = world.approvals.onApproved.bind(world.approvals);
      world.approvals.onApproved = (info) => {
        approved.push(info);
        record(info);
      };
      world.run();
      expect(world.violations).toEqual([]);
      // Its backing validations time out (candidate validation's own rule), nobody else's fail.
      expect(invalid.length).toBeGreaterThan(0);
      expect(invalid.every((x) => x.actor === "v0" && x.reason === "Timeout")).toBe(true);
      // Validator 0 votes in no candidate backed wholly in its slow slots (blocks 6..11 carry
      // candidates validated from slot 5 on), and in some before and after.
      const votedBy0 = world.relayBlocks.flatMap((r) =>
        r.accepted.backedCandidates.map((b) => [r.header.number, b.validatorIndices[0]] as const),
      );
      expect(votedBy0.filter(([n, v]) => n >= 6 && n <= 11 && v)).toEqual([]);
      expect(votedBy0.filter(([n]) => n >= 6 && n <= 11).length).toBeGreaterThanOrEqual(4);
      expect(votedBy0.some(([n, v]) => (n <= 4 || n >= 12) && v)).toBe(true);
      // Its approvals in the slow slots pass (4 x the execution is within the approval timeout).
      const slowApprovals = approved.filter(
        (a) => a.validator === 0 && a.atUs >= 4 * 6_000_000 && a.atUs < 10 * 6_000_000,
      );
      expect(slowApprovals.length).toBeGreaterThanOrEqual(3);
    },
    SLOW_TEST_MS,
  );
});

describe("late-bitfields", () => {
  it(
    "bitfields signed after the next block is authored delay inclusion by one block",
    () => {
      const input = {
        ...BASE,
        relay: {
          validators: 8,
          hostConfiguration: { schedulerParams: { maxValidatorsPerCore: 4 } },
        },
        relayBlocks: 7,
        // 1.5 s + 5 s after block 7's import: block 8's author has none of them.
        faults: [
          {
            kind: "late-bitfields",
            at: 7,
            for: 1,
            validators: [0, 1, 2, 3, 4, 5, 6, 7],
            delayMs: 5000,
          },
        ],
      };
      const { world, report } = run(input);
      expect(report.safety.violations).toEqual([]);
      expect(inclusions(world)).toEqual([3, 4, 5, 6, 7, 9, 10, 11, 12]);
    },
    SLOW_TEST_MS,
  );
});

describe("determinism", () => {
  it(
    "a run with the four kinds and a plan drawing them replays to the same trace hash",
    () => {
      const input = {
        preset: "async",
        crypto: "none",
        relayBlocks: 8,
        faults: [
          {
            kind: "partition",
            at: 6,
            for: 3,
            sides: [
              [0, 1, 2, 3, 4, 5, 6, 7, 8],
              [9, 10, 11],
            ],
          },
          { kind: "link", at: 5, for: 4, from: "all", to: [2], loss: 0.5, delayMs: 500 },
          { kind: "late-bitfields", at: 8, for: 3, validators: [5, 6], delayMs: 4000 },
        ],
        faultPlan: { seed: 3, perRelayBlock: 0.3, kinds: ["link", "slow", "late-bitfields"] },
      };
      const a = runScenario(scenario(input));
      const b = runScenario(scenario(input));
      expect(a.report.traceHash).toBe(b.report.traceHash);
      expect(a.world.network.messagesDropped).toBeGreaterThan(0);
      expect(a.report.safety.violations).toEqual([]);
    },
    SLOW_TEST_MS,
  );
});
