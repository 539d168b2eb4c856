/**
 * `parapipe run`: simulate one or more scenarios (files or presets) and print their summaries
 * side by side (text, `--markdown` or `--csv`), or the run reports as JSON, then each scenario's
 * `expect:` checks (PASS / FAIL with the measured value); `--report FILE.html` also writes the
 * HTML report. Under `--csv` stdout holds the CSV alone, the status and check lines go to stderr.
 * Exit codes (SCENARIO.md "Faults and adversaries"; crash.ts): 4 an internal error (an exception
 * inside a simulation: the stack trace written to `parapipe-crash-<seed>.txt`, the replay command
 * printed), else 1 a safety checker fired (with the command that replays it) or a check failed,
 * else 3 a liveness failure (a para stalled past `livenessRelayBlocks` after the last fault, or
 * included nothing in the measured blocks; each printed with its replay command), else 0; 2 bad
 * input, nothing run.
 */
import { type Verdict, verdictText } from "../report/expect.ts";
import { runStatus } from "../report/run.ts";
import { formatSummary, summaryCsvTable } from "../report/summary.ts";
import { formatTable, printable } from "../report/table.ts";
import { RunCrash, replayCommand, reportCrash, runExitCode } from "./crash.ts";
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
  let simulated: Awaited<ReturnType<typeof simulate>>;
  try {
    simulated = await simulate(targets, opts, { series: opts.report !== undefined, judge: true });
  } catch (e) {
    if (!(e instanceof RunCrash)) throw e;
    const i = e.index;
    for (const line of reportCrash(e, targets.scenarios[i]!, targets.sources[i]!.replay)) {
      console.error(line);
    }
    return runExitCode({ crashed: true, safetyOrChecks: 0, livenessFailures: 0 });
  }
  const { reports: ran, results, violations } = simulated;
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
  // Liveness, after the summary (on stderr, as the safety lines): each failure and its replay.
  let liveness = 0;
  reports.forEach((r, i) => {
    for (const failure of Object.values(r.liveness).flatMap((l) => l.failure ?? [])) {
      liveness++;
      console.error(
        `${style.red("LIVENESS")} ${printable(r.name)}: ${failure}\n` +
          `  replay: ${replayCommand(targets.sources[i]!.replay, targets.scenarios[i]!)}`,
      );
    }
  });
  return runExitCode({
    crashed: false,
    safetyOrChecks: violations + failed,
    livenessFailures: liveness,
  });
}

/** `PASS name: check (measured x)` / `FAIL ...`. */
function verdictLine(name: string, v: Verdict): string {
  const tag = v.pass ? style.green("PASS") : style.red("FAIL");
  return `${tag} ${printable(name)}: ${verdictText(v)}`;
}
