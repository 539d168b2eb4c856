/**
 * `parapipe run`: simulate one or more scenarios (files or presets) and print their summaries
 * side by side (text, `--markdown` or `--csv`), or the run reports as JSON, then each scenario's
 * `expect:` checks (PASS / FAIL with the measured value); `--report FILE.html` also writes the
 * HTML report. Under `--csv` stdout holds the CSV alone, the status and check lines go to stderr.
 * Exit 0: ran, no safety violation, every check passed; 1: a safety checker fired (with the
 * command that replays it) or a check failed; 2: bad input, nothing run.
 */
import { type Verdict, verdictText } from "../report/expect.ts";
import { runStatus } from "../report/run.ts";
import { formatSummary, summaryCsvTable } from "../report/summary.ts";
import { formatTable, printable } from "../report/table.ts";
import { checkReportPath, type OutputOptions, outputFormat, writeReport } from "./output.ts";
import { style } from "./style.ts";
import { resolveTargets, type SimulateOptions, simulate } from "./targets.ts";

export interface RunOptions extends SimulateOptions, OutputOptions {}

export async function runCommand(files: readonly string[], opts: RunOptions): Promise<number> {
  const format = outputFormat(opts);
  checkReportPath(opts.report);
  const targets = resolveTargets(files, opts);
  // Each run judged on its own checks (already validated when the scenario was resolved), where
  // it ran (run-job.ts).
  const {
    reports: ran,
    results,
    violations,
  } = await simulate(targets, opts, { series: opts.report !== undefined, judge: true });
  const reports = ran.map((report, i) => {
    const expect = results[i]!.expect;
    return expect === undefined ? report : { ...report, expect };
  });
  const failed = reports.reduce(
    (n, r) => n + ("expect" in r ? r.expect.filter((v) => !v.pass).length : 0),
    0,
  );
  if (format === "json") {
    process.stdout.write(
      // SCENARIO.md: one run prints its report, several print `{"runs": [REPORT, ...]}`.
      `${JSON.stringify(reports.length === 1 ? reports[0] : { runs: reports }, null, 2)}\n`,
    );
  } else {
    if (format === "csv") process.stdout.write(formatTable(summaryCsvTable(reports), "csv"));
    else console.log(formatSummary(reports, format));
    // The lines after the summary: on stderr under --csv, list items in Markdown.
    const line =
      format === "csv"
        ? (text: string) => console.error(text)
        : (text: string) => console.log(format === "markdown" ? `- ${text}` : text);
    for (const r of reports) {
      line(`${printable(r.name)}: ${runStatus(r)}, ${(r.host.wallMs / 1000).toFixed(1)} s wall`);
      if ("expect" in r) for (const v of r.expect) line(verdictLine(r.name, v));
    }
  }
  if (opts.report !== undefined) {
    const { runReportHtml } = await import("../report/html/page.ts");
    writeReport(
      opts.report,
      runReportHtml(
        reports,
        results.map((r) => r.series!),
      ),
    );
  }
  return violations > 0 || failed > 0 ? 1 : 0;
}

/** `PASS name: check (measured x)` / `FAIL ...`. */
function verdictLine(name: string, v: Verdict): string {
  const tag = v.pass ? style.green("PASS") : style.red("FAIL");
  return `${tag} ${printable(name)}: ${verdictText(v)}`;
}
