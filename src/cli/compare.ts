/**
 * `parapipe compare`: run the targets (default: the `sync` and `async` presets) and print the
 * seed documents' table measured, with the ratios against the first column (`src/report/
 * compare.ts`), as text, Markdown, CSV or JSON; `--report FILE.html` also writes the HTML report
 * (the table, its figures as bars, each run's charts). Exit codes as `run`.
 */
import { compareRuns, formatComparison } from "../report/compare.ts";
import { checkReportPath, type OutputOptions, outputFormat, writeReport } from "./output.ts";
import { resolveTargets, type SimulateOptions, simulate } from "./targets.ts";

export interface CompareOptions extends SimulateOptions, OutputOptions {}

/** The targets `compare` runs when given none. */
export const DEFAULT_COMPARE_PRESETS = ["sync", "async"] as const;

export async function compareCommand(
  files: readonly string[],
  opts: CompareOptions,
): Promise<number> {
  const format = outputFormat(opts);
  checkReportPath(opts.report);
  const targets = resolveTargets(files, opts, DEFAULT_COMPARE_PRESETS);
  const { reports, results, violations } = await simulate(targets, opts, {
    series: opts.report !== undefined,
  });
  const comparison = compareRuns(
    reports.map((report, i) => ({ report, cores: targets.scenarios[i]!.parachains[0]!.cores })),
  );
  if (format === "json") {
    const { paraId: _p, ...json } = comparison;
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else if (format === "csv") {
    process.stdout.write(formatComparison(comparison, "csv"));
  } else {
    console.log(formatComparison(comparison, format));
  }
  if (opts.report !== undefined) {
    const { compareReportHtml } = await import("../report/html/page.ts");
    writeReport(
      opts.report,
      compareReportHtml(
        comparison,
        reports,
        results.map((r) => r.series!),
      ),
    );
  }
  return violations > 0 ? 1 : 0;
}
