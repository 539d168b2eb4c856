/**
 * Replays of runs a lossy network once broke: with 30% loss, candidates time out of
 * availability; the provisioner then offered a child built on a timed-out candidate (it passed
 * the candidate to prospective parachains as an ancestor), which the runtime dropped
 * (`ValidationDataHashMismatch`) and the node/runtime-agreement checker reported. G2 passes no
 * timed-out ancestor (src/node/core/provisioner.ts).
 *
 * With 10% loss on `elastic-3`, two protocol edges show, which the checker counts and does not
 * report (src/sim/checkers.ts): the availability edge when the runtime times out a candidate the
 * node judged available (seed 4), and the core conflict when a candidate's `SelectCore` commits
 * it to a core its para's earlier candidate still holds (seed 1). (Seeds found by a scan of
 * seeds 1-16 on the current generation, with real erasure chunks and approval checking since
 * issue 20: seeds 1, 2, 3, 4, 12, 14 and 15 show the availability edge, seeds 1, 14 and 15 the
 * core conflict; the 50-seed runs of both generations are in the issue notes.)
 */
import { describe, expect, it } from "vitest";
import { run } from "./helpers.ts";

// 40 %: since a failed chunk fetch is retried at the next block (as polkadot-sdk's requester
// does), 30 % no longer times a candidate out on seed 1.
describe("a lossy network (40% loss, async)", () => {
  it.each([1, 2, 3])(
    "seed %i: candidates time out, and no safety invariant breaks",
    (seed) => {
      const { report, world } = run({
        preset: "async",
        seed,
        crypto: "none",
        network: { loss: 0.4 },
      });
      const timedOut = world.events.filter((e) => e.type === "CandidateTimedOut").length;
      expect(timedOut).toBeGreaterThan(0);
      expect(report.safety.violations).toEqual([]);
    },
    120_000,
  );
});

describe("a lossy network (10% loss, elastic-3)", () => {
  it.each([
    [1, "coreConflictDrops"],
    [4, "availabilityEdgeDrops"],
  ] as const)(
    "seed %i: the drops are counted as %s, no violation",
    (seed, counter) => {
      const { report } = run({ preset: "elastic-3", seed, crypto: "none", network: { loss: 0.1 } });
      expect(report.safety[counter]).toBeGreaterThan(0);
      expect(report.safety.violations).toEqual([]);
    },
    120_000,
  );
});
