/**
 * The pipeline's figures of each para in a run report, as the tests that compare two forms of the
 * performance model read them (test/sim/performance-model.test.ts, approval-views.test.ts).
 */
import type { runScenario } from "../../src/report/run.ts";

export function pipelineFigures(report: ReturnType<typeof runScenario>["report"]) {
  return Object.entries(report.paras).map(([id, p]) => ({
    id,
    backed: p.backed,
    included: p.included,
    timedOut: p.timedOut,
    windows: p.backedPer15RelayBlocks,
    inclusionIntervalMs: p.inclusionIntervalMs,
    // Not the block times: which of two forks at a handover gets included (and so the Aura
    // timestamps' gaps) is collator-side detail that the shifted draws move; since issue 20 the
    // approval checkers' recovery requests share the network's loss draws with the collators'
    // messages, and a lost announcement forks a para in one form and not in the other.
    executionMsPerBlock: p.executionMsPerBlock,
  }));
}
