/**
 * One simulation as the simulating commands hand it out (src/cli/parallel.ts): a resolved
 * scenario and what its caller reads of the run besides the report, and `runJob`, which runs it
 * in the calling thread: the main thread under `--jobs 1`, a worker thread otherwise
 * (run-worker.ts). A job and its result are plain data (structured-cloneable: a `Scenario` is
 * JSON-like, `--log`'s levels a map), because they cross threads and the world does not: what
 * the callers read from the world after a run is computed here, where the world is.
 *
 * - `series`: the HTML report's series (`--report`; src/report/html/series.ts);
 * - `judge`: the scenario's `expect:` checks judged, the timed ones on the run's timeline
 *   (src/report/timeline.ts), on the report without its host facts (no check names them);
 * - `evidence`: the figures `check`'s evidence compares (src/report/check/evidence.ts).
 *
 * Invariant: the result is a function of the job alone (the simulation is seeded), apart from
 * `wallMs`, so a run in a worker reports what it reports in the main thread.
 */
import { type Scenario, scenarioCores } from "../config/scenario.ts";
import type { PlantedBug } from "../relay/buggify.ts";
import { type Measured, measure } from "../report/check/evidence.ts";
import { judgeScenario, type Verdict } from "../report/expect.ts";
import { type RunSeries, runSeries } from "../report/html/series.ts";
import { type RunOutcome, runReportInput, runScenario } from "../report/run.ts";
import { runTimeline } from "../report/timeline.ts";
import type { ApprovalViews } from "../sim/approval-views.ts";
import type { LogLevels } from "../sim/log.ts";
import { nativeCryptoProvider } from "./native-crypto.ts";

export interface RunJob {
  readonly scenario: Scenario;
  /** `--log`'s levels (parsed by the caller); none: no logs. */
  readonly logLevel?: LogLevels;
  /** Compute the HTML report's series of the run. */
  readonly series?: boolean;
  /** Judge the scenario's `expect:` checks (when it has any). */
  readonly judge?: boolean;
  /** Compute the figures of a `check` evidence run. */
  readonly evidence?: boolean;
  /** A planted bug (`PARAPIPE_BUGGIFY`, src/cli/buggify.ts); none: off. */
  readonly buggify?: PlantedBug;
  /** `--approval-views`; none: by the network (src/sim/approval-views.ts). */
  readonly approvalViews?: ApprovalViews;
}

export interface RunResult {
  readonly report: RunOutcome["report"];
  /** Wall time of the simulation (ms), in the thread that ran it. */
  readonly wallMs: number;
  readonly series?: RunSeries;
  readonly expect?: Verdict[];
  readonly evidence?: Measured;
}

/** An exception thrown by a run (a parapipe bug), as plain data (it crosses threads). */
export interface RunError {
  readonly message: string;
  readonly stack: string;
}

export function runError(e: unknown): RunError {
  return e instanceof Error
    ? { message: e.message, stack: e.stack ?? e.message }
    : { message: String(e), stack: String(e) };
}

/** What the thread running a job is told while it runs. */
export interface RunHooks {
  readonly onRelayBlock?: (done: number, total: number) => void;
  /** Each log line (`logLevel` given), without its newline. */
  readonly logSink?: (line: string) => void;
  /** The whole outcome, the world included: in the main thread only (upgrade reads the world). */
  readonly keep?: (outcome: RunOutcome) => void;
}

export function runJob(job: RunJob, hooks: RunHooks = {}): RunResult {
  const { scenario } = job;
  const started = Date.now();
  const logSink = hooks.logSink;
  const outcome = runScenario(scenario, {
    crypto: nativeCryptoProvider(),
    ...(job.logLevel !== undefined && logSink !== undefined
      ? { logLevel: job.logLevel, logSink: (line: string) => logSink(line) }
      : {}),
    ...(hooks.onRelayBlock === undefined ? {} : { onRelayBlock: hooks.onRelayBlock }),
    ...(job.buggify === undefined ? {} : { buggify: job.buggify }),
    ...(job.approvalViews === undefined ? {} : { approvalViews: job.approvalViews }),
  });
  const wallMs = Date.now() - started;
  hooks.keep?.(outcome);
  const { report, world } = outcome;
  return {
    report,
    wallMs,
    ...(job.series ? { series: runSeries(runReportInput(scenario, world)) } : {}),
    ...(job.judge && scenario.expect.length > 0
      ? { expect: judgeScenario(scenario, report, runTimeline(scenario, world)) }
      : {}),
    ...(job.evidence ? { evidence: measure(outcome) } : {}),
  };
}

/**
 * A run's estimated cost, to hand the longest runs out first: validators x cores x relay blocks
 * (a validator handles every core's candidates every relay block; the presets' measured costs,
 * sync 1, async 1.2, elastic-3 2, elastic-12 6, come in the same order).
 */
export function runCost(scenario: Scenario): number {
  return (
    scenario.relay.validators *
    scenarioCores(scenario) *
    (scenario.warmupRelayBlocks + scenario.relayBlocks)
  );
}
