/**
 * Approval views (src/sim/approval-views.ts, docs/simulator.md "Approval views"): which runs take
 * the shared view, and that it measures what every validator's own imports measure: both forms
 * on the same network give the same pipeline figures per para, the same tranches, approvals
 * within noise (the checkers' recovery requests draw their latencies from the network's shared
 * stream, which the two forms' different event orders permute) and the same finality.
 */
import { describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";
import { approvalViewsFor, SHARED_APPROVAL_VIEWS_FROM } from "../../src/sim/approval-views.ts";
import { pipelineFigures as pipeline } from "./pipeline-figures.ts";

describe("which runs take the shared view", () => {
  const quiet = { requested: undefined, faultsOrAdversaries: false, loss: 0 } as const;

  it("shared from 100 validators on a network without loss, faults or adversaries", () => {
    expect(SHARED_APPROVAL_VIEWS_FROM).toBe(100);
    expect(approvalViewsFor({ ...quiet, validators: 99 })).toBe("per-validator");
    expect(approvalViewsFor({ ...quiet, validators: 100 })).toBe("shared");
    expect(approvalViewsFor({ ...quiet, validators: 600, loss: 0.01 })).toBe("per-validator");
    expect(approvalViewsFor({ ...quiet, validators: 600, faultsOrAdversaries: true })).toBe(
      "per-validator",
    );
  });

  it("a requested form is taken; shared with faults or adversaries is refused", () => {
    expect(approvalViewsFor({ ...quiet, validators: 10, requested: "shared" })).toBe("shared");
    expect(approvalViewsFor({ ...quiet, validators: 600, requested: "per-validator" })).toBe(
      "per-validator",
    );
    expect(() =>
      approvalViewsFor({
        ...quiet,
        validators: 600,
        requested: "shared",
        faultsOrAdversaries: true,
      }),
    ).toThrow(/faults, adversaries or offline windows/);
  });
});

function scenario(validators: number, paras: number, relayBlocks: number) {
  const r = resolveScenario({
    preset: "async",
    crypto: "none",
    relayBlocks,
    warmupRelayBlocks: 3,
    relay: {
      validators,
      hostConfiguration: {
        schedulerParams: { numCores: validators / 5, maxValidatorsPerCore: 5 },
        neededApprovals: 10,
      },
    },
    parachains: Array.from({ length: paras }, (_, i) => ({ id: 2000 + i, cores: 1 })),
  });
  if (!r.ok) throw new Error(r.error.join("; "));
  return r.value;
}

describe("the shared view measures what per-validator views measure", () => {
  it("120 validators, 6 paras, no loss: the same pipeline, tranches and finality; approvals within noise", () => {
    const s = scenario(120, 6, 15);
    const perValidator = runScenario(s, { approvalViews: "per-validator" }).report;
    const shared = runScenario(s).report;
    expect(perValidator.approvalViews).toBe("per-validator");
    expect(shared.approvalViews).toBe("shared");
    expect(pipeline(shared)).toEqual(pipeline(perValidator));
    expect(shared.safety.violations).toEqual([]);
    expect(perValidator.safety.violations).toEqual([]);
    for (const [id, p] of Object.entries(shared.paras)) {
      const q = perValidator.paras[id]!;
      expect(p.included).toBe(15);
      // Every candidate approved in the next author's view, needing the same tranches.
      expect(p.approval.unapproved).toBe(0);
      expect(q.approval.unapproved).toBe(0);
      expect(p.approval.tranchesNeeded).toEqual(q.approval.tranchesNeeded);
      // Approval in 2 to 5 s either way, the means within a second of each other.
      for (const r of [p, q]) {
        expect(r.approvalMs!.mean).toBeGreaterThan(1500);
        expect(r.approvalMs!.mean).toBeLessThan(5000);
      }
      expect(Math.abs(p.approvalMs!.mean - q.approvalMs!.mean)).toBeLessThan(1000);
    }
    expect(
      Math.abs(shared.finality!.lagBlocks.mean - perValidator.finality!.lagBlocks.mean),
    ).toBeLessThan(0.5);
  }, 120_000);
});
