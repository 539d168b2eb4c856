/**
 * `parapipe check SCENARIO|--preset NAME [--generation current|2024] [--json]`: the
 * configuration doctor (docs/check.md). Resolves one target as `run` does (same validation and
 * error lines, exit 2 on bad input), diagnoses it, simulates each finding's evidence (the distinct
 * runs `--jobs` at once, src/cli/parallel.ts), and prints the findings (JSON: SCENARIO.md's
 * `{"findings": [...]}`). Exit 0: no findings; 1: findings.
 */
import { InvariantError } from "../lib/assert.ts";
import { checkScenario, evidenceScenarios } from "../report/check/check.ts";
import { formatCheck } from "../report/check/format.ts";
import { runAll } from "./parallel.ts";
import { style } from "./style.ts";
import { InputError, jobsOption, resolveTargets } from "./targets.ts";

export interface CheckCommandOptions {
  readonly preset?: string[];
  readonly generation?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  readonly paraPreset?: string;
  readonly cores?: string;
  readonly jobs?: string;
}

export async function checkCommand(
  files: readonly string[],
  opts: CheckCommandOptions,
): Promise<number> {
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
  const jobs = jobsOption(opts.jobs);
  const scenario = targets.scenarios[0]!;
  const runs = evidenceScenarios(scenario);
  const results = await runAll(
    runs.map((s) => ({ scenario: s, evidence: true })),
    {
      jobs,
      progress: opts.progress !== false && !opts.json,
      label: (job) => `check: simulating ${job.scenario.name}`,
    },
  );
  const figures = new Map(runs.map((s, i) => [JSON.stringify(s), results[i]!.evidence!]));
  const report = checkScenario(scenario, {
    figures: (s) => {
      const measured = figures.get(JSON.stringify(s));
      if (measured === undefined) {
        throw new InvariantError(`check: no evidence run was made for ${s.name}`);
      }
      return measured;
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
