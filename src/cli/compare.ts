/**
 * `parapipe compare`: run the targets (default: the `sync` and `async` presets) and print the
 * seed documents' table measured, with the ratios against the first column (`src/report/
 * compare.ts`), as text, Markdown or JSON. Exit codes as `run`.
 */
import { compareRuns, formatComparison } from "../report/compare.ts";
import { resolveTargets, type SimulateOptions, simulate } from "./targets.ts";

export interface CompareOptions extends SimulateOptions {
  readonly markdown?: boolean;
}

/** The targets `compare` runs when given none. */
export const DEFAULT_COMPARE_PRESETS = ["sync", "async"] as const;

export function compareCommand(files: readonly string[], opts: CompareOptions): number {
  const targets = resolveTargets(files, opts, DEFAULT_COMPARE_PRESETS);
  const { reports, violations } = simulate(targets, opts);
  const comparison = compareRuns(
    reports.map((report, i) => ({ report, cores: targets.scenarios[i]!.parachains[0]!.cores })),
  );
  if (opts.json) {
    const { paraId: _p, ...json } = comparison;
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    console.log(formatComparison(comparison, opts.markdown === true));
  }
  return violations > 0 ? 1 : 0;
}
