/**
 * `parapipe check SCENARIO|--preset NAME [--generation current|2024] [--json]`: the
 * configuration doctor (docs/check.md). Resolves one target as `run` does (same validation and
 * error lines, exit 2 on bad input), diagnoses it, simulates each finding's evidence, and prints
 * the findings (JSON: SCENARIO.md's `{"findings": [...]}`). Exit 0: no findings; 1: findings.
 */
import type { Scenario } from "../config/scenario.ts";
import { checkScenario } from "../report/check/check.ts";
import { formatCheck } from "../report/check/format.ts";
import { runScenario } from "../report/run.ts";
import { progressBar } from "./progress.ts";
import { style } from "./style.ts";
import { InputError, resolveTargets } from "./targets.ts";

export interface CheckCommandOptions {
  readonly preset?: string[];
  readonly generation?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly paraPreset?: string;
  readonly cores?: string;
}

export function checkCommand(files: readonly string[], opts: CheckCommandOptions): number {
  const targets = resolveTargets(files, {
    ...(opts.preset === undefined ? {} : { preset: opts.preset }),
    ...(opts.generation === undefined ? {} : { generation: opts.generation }),
    ...(opts.paraPreset === undefined ? {} : { paraPreset: opts.paraPreset }),
    ...(opts.cores === undefined ? {} : { cores: opts.cores }),
  });
  if (targets.scenarios.length !== 1) {
    throw new InputError(
      `check takes one target (a SCENARIO file or --preset NAME), got ${targets.scenarios.length}`,
    );
  }
  const scenario = targets.scenarios[0]!;
  const report = checkScenario(scenario, {
    simulate: (s: Scenario) => {
      const bar = progressBar(opts.progress !== false && !opts.json);
      const outcome = runScenario(s, {
        onRelayBlock: (n, total) => bar.update(n, total, `check: simulating ${s.name}`),
      });
      bar.finish();
      return outcome;
    },
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    console.log(
      formatCheck(targets.sources[0]!.label, scenario.generation, report, {
        error: (s) => style.bold(style.red(s)),
        warning: (s) => style.bold(style.yellow(s)),
        bold: style.bold,
        dim: style.dim,
      }),
    );
  }
  return report.findings.length > 0 ? 1 : 0;
}
