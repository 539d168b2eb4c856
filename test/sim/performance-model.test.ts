/**
 * The performance model does not change what a run measures: lazily materialised announcements
 * and lazily computed chunk fetches give the same per-para report as carrying both as messages
 * (`eagerDelivery`), on a multi-para network with message loss and on an elastic preset. With
 * jitter, the messages that remain draw other latencies from the network's shared stream (fewer
 * messages went before them), so collator-side detail (forks, segment depth) may move by a block;
 * the pipeline's figures must not.
 */
import { describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/config/scenario.ts";
import { runScenario } from "../../src/report/run.ts";
import { pipelineFigures as figures } from "./pipeline-figures.ts";

function both(input: unknown) {
  const r = resolveScenario(input);
  if (!r.ok) throw new Error(r.error.join("; "));
  const lazy = runScenario(r.value).report;
  const eager = runScenario(r.value, { eagerDelivery: true }).report;
  return { lazy, eager };
}

describe("lazy delivery measures what messages measure", () => {
  it("4 paras, 24 validators, 2% loss: the same figures per para, no violation", () => {
    const { lazy, eager } = both({
      preset: "async",
      crypto: "none",
      relayBlocks: 20,
      warmupRelayBlocks: 3,
      relay: {
        validators: 24,
        hostConfiguration: { schedulerParams: { numCores: 4, maxValidatorsPerCore: 6 } },
      },
      network: { loss: 0.02 },
      parachains: Array.from({ length: 4 }, (_, i) => ({ id: 2000 + i, cores: 1 })),
    });
    expect(figures(lazy)).toEqual(figures(eager));
    expect(Object.values(lazy.paras).map((p) => p.included)).toEqual([20, 20, 20, 20]);
    expect(lazy.safety.violations).toEqual([]);
    expect(eager.safety.violations).toEqual([]);
  }, 60_000);

  it("elastic-12: the same figures per para", () => {
    const { lazy, eager } = both({ preset: "elastic-12", crypto: "none", relayBlocks: 15 });
    // Everything but the moment of approval, which the backers' uplinks (they serve the checkers'
    // recoveries) move by a millisecond or so when announcements are messages.
    const withoutApprovalTimes = (r: typeof lazy) =>
      Object.values(r.paras).map((p) => ({
        ...p,
        approvalMs: null,
        approval: { ...p.approval, candidates: p.approval.candidates.map((c) => c.tranchesNeeded) },
      }));
    expect(withoutApprovalTimes(lazy)).toEqual(withoutApprovalTimes(eager));
    for (const [id, p] of Object.entries(lazy.paras)) {
      expect(p.approvalMs!.mean).toBeCloseTo(eager.paras[id]!.approvalMs!.mean, -1);
    }
  }, 60_000);
});
