/**
 * Replays of runs a lossy network once broke: with 30% loss, candidates time out of
 * availability; the provisioner then offered a child built on a timed-out candidate (it passed
 * the candidate to prospective parachains as an ancestor), which the runtime dropped
 * (`ValidationDataHashMismatch`) and the node/runtime-agreement checker reported. G2 passes no
 * timed-out ancestor (src/node/core/provisioner.ts).
 */
import { describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";

describe("a lossy network (30% loss, async)", () => {
  it.each([1, 2, 3])(
    "seed %i: candidates time out, and no safety invariant breaks",
    (seed) => {
      const r = resolveScenario({ preset: "async", seed, crypto: "none", network: { loss: 0.3 } });
      if (!r.ok) throw new Error(r.error.join("; "));
      const { report, world } = runScenario(r.value);
      const timedOut = world.events.filter((e) => e.type === "CandidateTimedOut").length;
      expect(timedOut).toBeGreaterThan(0);
      expect(report.safety.violations).toEqual([]);
    },
    120_000,
  );
});
