/**
 * `parapipe run`: simulate one or more scenarios (files or presets) and print their summaries
 * side by side, or the run reports as JSON, then each scenario's `expect:` checks (PASS / FAIL
 * with the measured value). Exit 0: ran, no safety violation, every check passed; 1: a safety
 * checker fired (with the command that replays it) or a check failed; 2: bad input, nothing run.
 */
import { parseExpectation } from "../config/expectations.ts";
import { judge, type Verdict } from "../report/expect.ts";
import { formatSummary } from "../report/summary.ts";
import { printable } from "../report/table.ts";
import { style } from "./style.ts";
import { resolveTargets, type SimulateOptions, simulate } from "./targets.ts";

export type RunOptions = SimulateOptions;

export function runCommand(files: readonly string[], opts: RunOptions): number {
  const targets = resolveTargets(files, opts);
  const { reports: ran, violations } = simulate(targets, opts);
  // Each run judged on its own checks (already validated when the scenario was resolved).
  const reports = ran.map((report, i) => {
    const scenario = targets.scenarios[i]!;
    if (scenario.expect.length === 0) return report;
    const ids = scenario.parachains.map((p) => p.id);
    const expect: Verdict[] = scenario.expect.map((text) => {
      const parsed = parseExpectation(text, ids);
      if (!parsed.ok) throw new Error(`expect: ${parsed.error}`); // resolveScenario refused it
      return judge(parsed.value, report);
    });
    return { ...report, expect };
  });
  const failed = reports.reduce(
    (n, r) => n + ("expect" in r ? r.expect.filter((v) => !v.pass).length : 0),
    0,
  );
  if (opts.json) {
    process.stdout.write(
      // SCENARIO.md: one run prints its report, several print `{"runs": [REPORT, ...]}`.
      `${JSON.stringify(reports.length === 1 ? reports[0] : { runs: reports }, null, 2)}\n`,
    );
  } else {
    console.log(formatSummary(reports));
    for (const r of reports) {
      const p = r.safety.runtimePanics.length;
      const edge = r.safety.availabilityEdgeDrops;
      console.log(
        `${printable(r.name)}: trace ${r.traceHash.slice(0, 18)}..., ${r.safety.violations.length} safety violations, ` +
          `${edge} availability-edge drops, ${r.safety.coreConflictDrops} core-conflict drops, ${p} runtime panics, ${(r.host.wallMs / 1000).toFixed(1)} s wall`,
      );
      if ("expect" in r) for (const v of r.expect) console.log(verdictLine(r.name, v));
    }
  }
  return violations > 0 || failed > 0 ? 1 : 0;
}

/** `PASS name: check (measured x)` / `FAIL ...`. */
function verdictLine(name: string, v: Verdict): string {
  const measured = v.measured === null ? (v.note ?? "no value") : `measured ${v.measured}`;
  const tag = v.pass ? style.green("PASS") : style.red("FAIL");
  return `${tag} ${printable(name)}: ${v.check} (${measured})`;
}
