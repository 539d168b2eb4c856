/**
 * The seed table's ratios (the async backing docs page: 2x parablocks, 4x execution time in a
 * parablock, 8x compute throughput per core), from measured figures only: one run's para report
 * against a baseline's.
 */
import type { ParaReport } from "./run-report.ts";

export interface SeedTableRatios {
  /** Parablocks per unit of time (the inverse of "parablocks included every"). */
  readonly parablockRate: number | null;
  /** Mean execution of an included block. */
  readonly executionTime: number | null;
  /** Execution included per relay block, per core of the para: the compute throughput. */
  readonly computeThroughput: number | null;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : round3(a / b);

/** `run` over `base`; the cores divide the compute throughput (1 each when not given). */
export function seedTableRatios(
  run: ParaReport,
  base: ParaReport,
  runCores = 1,
  baseCores = 1,
): SeedTableRatios {
  return {
    parablockRate: ratio(base.inclusionIntervalMs, run.inclusionIntervalMs),
    executionTime: ratio(run.executionMsPerBlock?.mean, base.executionMsPerBlock?.mean),
    computeThroughput: ratio(
      run.executionMsPerRelayBlock / runCores,
      base.executionMsPerRelayBlock / baseCores,
    ),
  };
}
