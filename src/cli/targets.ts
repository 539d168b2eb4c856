/**
 * What the simulating commands (`run`, `compare`) share: the targets they take (scenario files and
 * presets), the options that override every target (`--seed`, `--relay-blocks`, `--generation`,
 * `--log`) and `--jobs`, resolving them all before anything runs (one bad file runs nothing, exit
 * 2), and running them (`--jobs` at once, src/cli/parallel.ts) with a progress bar, the host facts
 * and the safety lines with their replay command.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { consistentHostConfigurationFromScenario } from "../config/from-scenario.ts";
import { GENERATIONS, type Generation } from "../config/generation.ts";
import { PRESET_NAMES } from "../config/presets.ts";
import {
  parseScenarioText,
  resolveScenario,
  type Scenario,
  scenarioFaults,
} from "../config/scenario.ts";
import { SUBSYSTEM_NAMES } from "../node/util/subsystem-log.ts";
import type { RunOutcome } from "../report/run.ts";
import { APPROVAL_VIEWS, type ApprovalViews } from "../sim/approval-views.ts";
import { type LogLevels, parseLogSpec } from "../sim/log.ts";
import { buggifyFromEnv, buggifyPrefix } from "./buggify.ts";
import { importNetworkFile, importNotes } from "./import.ts";
import { InputError } from "./input-error.ts";
import { memoryProblem } from "./memory-budget.ts";
import { runAll } from "./parallel.ts";
import type { RunResult } from "./run-job.ts";
import { style } from "./style.ts";

/** The options every simulating command takes. */
export interface SimulateOptions {
  readonly preset?: string[];
  readonly seed?: string;
  readonly relayBlocks?: string;
  readonly generation?: string;
  readonly json?: boolean;
  readonly log?: string;
  readonly progress?: boolean;
  /** Checks added to every target's `expect:` list (`--expect`, repeatable). */
  readonly expect?: string[];
  /** For zombienet network files: the paras' presets and cores (`parapipe import`'s options). */
  readonly paraPreset?: string;
  readonly cores?: string;
  /** `--jobs N`: simulations at once, in worker threads (default: the machine's cores). */
  readonly jobs?: string;
  /** `--approval-views per-validator|shared` (default: by the network, src/sim/approval-views.ts). */
  readonly approvalViews?: string;
}

/** `--approval-views`, checked; undefined when not given. */
export function approvalViewsOption(value: string | undefined): ApprovalViews | undefined {
  if (value === undefined) return undefined;
  if (!(APPROVAL_VIEWS as readonly string[]).includes(value)) {
    throw new InputError(
      `--approval-views: expected one of ${APPROVAL_VIEWS.join(", ")}, got ${JSON.stringify(value)}`,
    );
  }
  return value as ApprovalViews;
}

export { InputError };

export function integerOption(
  name: string,
  value: string | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new InputError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** `--jobs N` (an integer >= 1), or the machine's cores (`os.availableParallelism()`). */
export function jobsOption(value: string | undefined): number {
  return integerOption("jobs", value, 1) ?? availableParallelism();
}

export interface Source {
  readonly label: string;
  readonly replay: string;
  readonly input: Record<string, unknown>;
}

export function sources(
  files: readonly string[],
  presets: readonly string[],
  network: { readonly paraPreset?: string; readonly cores?: string } = {},
): Source[] {
  const out: Source[] = [];
  for (const file of files) {
    if (/\.toml$/i.test(file)) {
      // A zombienet network: imported as `parapipe import` would, with its .zndsl's checks.
      const imported = importNetworkFile(file, network);
      const notes = importNotes(imported);
      const count = (prefix: string) => notes.filter((n) => n.startsWith(prefix)).length;
      process.stderr.write(
        `${file}: imported as a zombienet network: ${count("ignored:")} keys ignored, ${count("check:")} checks, ${count("not checked:")} .zndsl lines not checked (parapipe import ${file} lists them)\n`,
      );
      out.push({ label: file, replay: file, input: imported.result.scenario });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new InputError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`);
    }
    const parsed = parseScenarioText(text);
    if (!parsed.ok) throw new InputError(`${file}: ${parsed.error.join("; ")}`);
    const value = parsed.value ?? {};
    if (typeof value !== "object" || Array.isArray(value))
      throw new InputError(`${file}: (top level): expected an object`);
    const input = value as Record<string, unknown>;
    // A file without a `name` is named after the file (not after its preset: three files on
    // the async preset would all read "async").
    const named = Object.hasOwn(input, "name")
      ? input
      : { ...input, name: basename(file).replace(/\.(ya?ml|json)$/i, "") };
    out.push({ label: file, replay: file, input: named });
  }
  for (const p of presets) {
    if (!(PRESET_NAMES as readonly string[]).includes(p)) {
      throw new InputError(
        `--preset: expected one of ${PRESET_NAMES.join(", ")}, got ${JSON.stringify(p)}`,
      );
    }
    out.push({ label: `preset ${p}`, replay: `--preset ${p}`, input: { preset: p } });
  }
  if (out.length === 0) throw new InputError("give a SCENARIO file or --preset NAME (see --help)");
  return out;
}

/** Resolve every scenario before running any: one bad file runs nothing. */
export function resolveAll(
  srcs: readonly Source[],
  seed: number | undefined,
  relayBlocks: number | undefined,
  generation: Generation | undefined,
  expect: readonly string[] = [],
): Scenario[] {
  const problems: string[] = [];
  const scenarios: Scenario[] = [];
  for (const s of srcs) {
    const input: Record<string, unknown> = {
      ...s.input,
      ...(seed === undefined ? {} : { seed }),
      ...(relayBlocks === undefined ? {} : { relayBlocks }),
      ...(generation === undefined ? {} : { generation }),
    };
    if (expect.length > 0) {
      const own = Array.isArray(s.input.expect) ? (s.input.expect as unknown[]) : [];
      input.expect = [...own, ...expect];
    }
    const r = resolveScenario(input);
    if (!r.ok) {
      for (const e of r.error) problems.push(`${s.label}: ${e}`);
      continue;
    }
    const hc = consistentHostConfigurationFromScenario(r.value.relay.hostConfiguration);
    if (!hc.ok) {
      problems.push(
        `${s.label}: relay.hostConfiguration: inconsistent (${hc.error.code}, as polkadot-sdk's check_consistency says)`,
      );
      continue;
    }
    // A run whose records alone would not fit is refused before anything runs.
    const memory = memoryProblem(r.value);
    if (memory !== null) {
      problems.push(`${s.label}: ${memory}`);
      continue;
    }
    scenarios.push(r.value);
  }
  if (problems.length > 0) throw new InputError(problems.join("\n"));
  return scenarios;
}

/** The `--log` targets: the node's subsystems and the collators. */
export const LOG_TARGETS = [...SUBSYSTEM_NAMES, "collator"] as const;

/** `--log` parsed (`LEVEL` or `TARGET=LEVEL,...`), or `InputError` naming what is wrong. */
export function logLevels(spec: string): LogLevels {
  try {
    return parseLogSpec(spec, LOG_TARGETS);
  } catch (e) {
    throw new InputError(`--log: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A run report with the facts about the machine that ran it (SCENARIO.md `host`). */
export type HostedReport = RunOutcome["report"] & {
  readonly host: {
    readonly wallMs: number;
    readonly parapipeVersion: string;
    readonly node: string;
    readonly nodeFlags: readonly string[];
  };
};

/** The targets of a command, resolved: the scenarios and where each came from. */
export interface Targets {
  readonly sources: readonly Source[];
  readonly scenarios: readonly Scenario[];
}

/** Check the common options and resolve every target (`InputError` on any problem). */
export function resolveTargets(
  files: readonly string[],
  opts: SimulateOptions,
  defaultPresets: readonly string[] = [],
): Targets {
  const presets =
    (opts.preset ?? []).length === 0 && files.length === 0 ? defaultPresets : (opts.preset ?? []);
  const network = {
    ...(opts.paraPreset === undefined ? {} : { paraPreset: opts.paraPreset }),
    ...(opts.cores === undefined ? {} : { cores: opts.cores }),
  };
  if (Object.keys(network).length > 0 && !files.some((f) => /\.toml$/i.test(f))) {
    throw new InputError(
      "--para-preset and --cores apply to zombienet network files (.toml): give one",
    );
  }
  return resolveSources(sources(files, presets, network), opts);
}

/**
 * Check the common options and resolve given sources (files, presets, or a command's own inline
 * scenario) with them applied (`InputError` on any problem).
 */
export function resolveSources(srcs: readonly Source[], opts: SimulateOptions): Targets {
  const seed = integerOption("seed", opts.seed, 0);
  const relayBlocks = integerOption("relay-blocks", opts.relayBlocks, 1);
  jobsOption(opts.jobs);
  approvalViewsOption(opts.approvalViews);
  if (opts.log !== undefined) logLevels(opts.log);
  if (
    opts.generation !== undefined &&
    !(GENERATIONS as readonly string[]).includes(opts.generation)
  ) {
    throw new InputError(
      `--generation: expected one of ${GENERATIONS.join(", ")}, got ${JSON.stringify(opts.generation)}`,
    );
  }
  const generation = opts.generation as Generation | undefined;
  const scenarios = resolveAll(srcs, seed, relayBlocks, generation, opts.expect ?? []);
  if (approvalViewsOption(opts.approvalViews) === "shared") {
    for (const s of scenarios) {
      if (scenarioFaults(s).length > 0 || s.adversaries.length > 0) {
        throw new InputError(
          `--approval-views shared: ${s.name} has faults or adversaries, which act on single ` +
            "copies and validators (a shared view cannot represent them): give per-validator or leave it out",
        );
      }
    }
  }
  return { sources: srcs, scenarios };
}

/** What a command reads of each run besides its report (run-job.ts). */
export interface SimulateWants {
  /** The HTML report's series. */
  readonly series?: boolean;
  /** The scenarios' `expect:` checks, judged. */
  readonly judge?: boolean;
  /**
   * Told of each run's whole outcome, the world included: the runs then run one after another in
   * this thread whatever `--jobs` says (the world cannot leave the thread it ran in).
   */
  readonly keep?: (outcome: RunOutcome, index: number) => void;
}

/**
 * Run every target, `--jobs` at once (src/cli/parallel.ts; progress bar on a terminal unless
 * `--no-progress`), print each safety violation with its replay command on stderr after its run,
 * and return the reports with their host facts and what else `wants` asked for.
 */
export async function simulate(
  targets: Targets,
  opts: SimulateOptions,
  wants: SimulateWants = {},
): Promise<{
  readonly reports: HostedReport[];
  readonly results: RunResult[];
  readonly violations: number;
}> {
  let violations = 0;
  const logLevel = opts.log ? logLevels(opts.log) : undefined;
  const buggify = buggifyFromEnv();
  const approvalViews = approvalViewsOption(opts.approvalViews);
  const jobs = targets.scenarios.map((scenario) => ({
    scenario,
    ...(approvalViews === undefined ? {} : { approvalViews }),
    ...(buggify === undefined ? {} : { buggify }),
    ...(logLevel === undefined ? {} : { logLevel }),
    ...(wants.series ? { series: true } : {}),
    ...(wants.judge ? { judge: true } : {}),
  }));
  const finished = (result: RunResult, i: number): void => {
    const scenario = targets.scenarios[i]!;
    for (const v of result.report.safety.violations) {
      violations++;
      console.error(
        `${style.red("SAFETY")} ${scenario.name}: relay block #${v.relayBlock}: ${v.invariant}: ${v.message}\n` +
          `  replay: ${buggifyPrefix(buggify)}parapipe run ${targets.sources[i]!.replay} --seed ${scenario.seed} --relay-blocks ${scenario.relayBlocks} --generation ${scenario.generation} --log debug`,
      );
    }
  };
  const results = await runAll(jobs, {
    jobs: jobsOption(opts.jobs),
    progress: opts.progress !== false,
    label: (job) => job.scenario.name,
    finished,
    ...(wants.keep === undefined ? {} : { keep: wants.keep }),
  });
  const reports = results.map((result) => ({
    ...result.report,
    host: {
      wallMs: result.wallMs,
      parapipeVersion: "0.1.0",
      node: process.version,
      nodeFlags: process.execArgv.filter((a) => a.startsWith("--max-")),
    },
  }));
  return { reports, results, violations };
}
