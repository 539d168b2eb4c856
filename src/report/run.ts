/**
 * Running a scenario for its report: build the world, run it to the end, and assemble the run
 * report (SCENARIO.md) from what the simulator recorded, with the trace hash and what the safety
 * checkers found. The report is deterministic given the scenario and seed, except its `host`
 * block, which the caller adds.
 *
 * The report is a layer above the simulator: it reads the world's records (`src/sim/records.ts`),
 * the simulator knows nothing of it.
 */
import { livenessRelayBlocks, type Scenario, scenarioFaults } from "../config/scenario.ts";
import type { ApprovalViews } from "../sim/approval-views.ts";
import type { Violation } from "../sim/checkers.ts";
import { World, type WorldOptions } from "../sim/world.ts";
import { type AdversaryFigures, adversaryFigures, adversaryStatus } from "./adversaries.ts";
import { buildRunReport, type RunReport, type RunReportInput } from "./run-report.ts";

export interface RunOutcome {
  readonly report: RunReport & {
    readonly traceHash: string;
    /** How the validators saw each other's approval gossip (docs/simulator.md "Approval views"). */
    readonly approvalViews: ApprovalViews;
    readonly safety: {
      readonly violations: readonly Violation[];
      readonly availabilityEdgeDrops: number;
      readonly coreConflictDrops: number;
      readonly runtimePanics: readonly {
        readonly paraId: number;
        readonly author: string;
        readonly atMs: number;
        readonly message: string;
      }[];
    };
  } & Partial<AdversaryFigures>;
  readonly world: World;
}

/** The run report's input: the scenario's figures and the world's records. */
export function runReportInput(scenario: Scenario, world: World): RunReportInput {
  return {
    name: scenario.name,
    seed: scenario.seed,
    relayBlocks: scenario.relayBlocks,
    warmupRelayBlocks: scenario.warmupRelayBlocks,
    slotDurationMs: scenario.relay.slotDurationMs,
    relaySlotOf: (n) => world.slotOf(n),
    generation: scenario.generation,
    paraIds: scenario.parachains.map((p) => p.id),
    maxExecutionMsPerBlock: new Map(
      scenario.parachains.map((p) => [p.id, p.runtime.maximumBlockWeightMs]),
    ),
    maxPovSizeBytes: scenario.relay.hostConfiguration.maxPovSize,
    txArrivalUs: new Map(
      world.paras
        .filter((p) => !p.pool.unbounded)
        .map((p) => [p.spec.id, () => p.pool.arrivalReader()] as const),
    ),
    events: world.events,
    blocks: world.blocks,
    traffic: world.traffic,
    approvals: world.approvals.records(),
    finality: world.finality.samples,
    faults: scenarioFaults(scenario),
    livenessRelayBlocks: livenessRelayBlocks(scenario),
    slotOf: (n) => world.chain.at(n)?.header.slot ?? n,
  };
}

export function runScenario(scenario: Scenario, options: WorldOptions = {}): RunOutcome {
  const world = new World(scenario, options);
  world.run();
  const base = buildRunReport(runReportInput(scenario, world));
  return {
    world,
    report: {
      ...base,
      ...adversaryFigures(world),
      traceHash: world.trace.hash,
      approvalViews: world.approvalViews,
      safety: {
        violations: world.violations,
        availabilityEdgeDrops: world.checker.availabilityEdgeDrops,
        coreConflictDrops: world.checker.coreConflictDrops,
        runtimePanics: world.panics.map((p) => ({
          paraId: p.paraId,
          author: p.author,
          atMs: p.atUs / 1000,
          message: p.message,
        })),
      },
    },
  };
}

/** What a run's safety checkers found, on one line (`run` prints it after the summary). */
export function runStatus(report: RunOutcome["report"]): string {
  const s = report.safety;
  return (
    `trace ${report.traceHash.slice(0, 18)}..., ${s.violations.length} safety violations, ` +
    `${s.availabilityEdgeDrops} availability-edge drops, ${s.coreConflictDrops} core-conflict drops, ` +
    `${s.runtimePanics.length} runtime panics` +
    (report.adversaries === undefined || report.invalidCandidates === undefined
      ? ""
      : `; ${adversaryStatus({ adversaries: report.adversaries, invalidCandidates: report.invalidCandidates })}`)
  );
}
