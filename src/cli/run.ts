/**
 * `parapipe run`: simulate one or more scenarios (files or presets) and print their summaries
 * side by side, or the run reports as JSON. Exit 0: ran, no safety violation; 1: a safety
 * checker fired (with the command that replays it); 2: bad input, nothing run.
 */
import { readFileSync } from "node:fs";
import { consistentHostConfigurationFromScenario } from "../config/from-scenario.ts";
import { GENERATIONS, type Generation } from "../config/generation.ts";
import { PRESET_NAMES } from "../config/presets.ts";
import { parseScenarioText, resolveScenario, type Scenario } from "../config/scenario.ts";
import { runScenario } from "../report/run.ts";
import { formatSummary } from "../report/summary.ts";
import type { LogLevel } from "../sim/log.ts";
import { nativeCryptoProvider } from "./native-crypto.ts";
import { progressBar } from "./progress.ts";
import { style } from "./style.ts";

export interface RunOptions {
  readonly preset?: string[];
  readonly seed?: string;
  readonly relayBlocks?: string;
  readonly generation?: string;
  readonly json?: boolean;
  readonly log?: string;
  readonly progress?: boolean;
}

export class InputError extends Error {}

function integerOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new InputError(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

interface Source {
  readonly label: string;
  readonly replay: string;
  readonly input: Record<string, unknown>;
}

function sources(files: readonly string[], presets: readonly string[]): Source[] {
  const out: Source[] = [];
  for (const file of files) {
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
    out.push({ label: file, replay: file, input: value as Record<string, unknown> });
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
function resolveAll(
  srcs: readonly Source[],
  seed: number | undefined,
  relayBlocks: number | undefined,
  generation: Generation | undefined,
): Scenario[] {
  const problems: string[] = [];
  const scenarios: Scenario[] = [];
  for (const s of srcs) {
    const input = {
      ...s.input,
      ...(seed === undefined ? {} : { seed }),
      ...(relayBlocks === undefined ? {} : { relayBlocks }),
      ...(generation === undefined ? {} : { generation }),
    };
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
    scenarios.push(r.value);
  }
  if (problems.length > 0) throw new InputError(problems.join("\n"));
  return scenarios;
}

export function runCommand(files: readonly string[], opts: RunOptions): number {
  const seed = integerOption("seed", opts.seed, 0);
  const relayBlocks = integerOption("relay-blocks", opts.relayBlocks, 1);
  const levels = ["error", "warn", "info", "debug", "trace"];
  if (opts.log !== undefined && !levels.includes(opts.log)) {
    throw new InputError(
      `--log: expected one of ${levels.join(", ")}, got ${JSON.stringify(opts.log)}`,
    );
  }
  if (
    opts.generation !== undefined &&
    !(GENERATIONS as readonly string[]).includes(opts.generation)
  ) {
    throw new InputError(
      `--generation: expected one of ${GENERATIONS.join(", ")}, got ${JSON.stringify(opts.generation)}`,
    );
  }
  const generation = opts.generation as Generation | undefined;
  const srcs = sources(files, opts.preset ?? []);
  const scenarios = resolveAll(srcs, seed, relayBlocks, generation);
  const reports = [];
  let violations = 0;
  for (const [i, scenario] of scenarios.entries()) {
    const bar = progressBar(opts.progress !== false && !opts.json);
    const started = Date.now();
    const { report } = runScenario(scenario, {
      crypto: nativeCryptoProvider(),
      ...(opts.log
        ? {
            logLevel: opts.log as LogLevel,
            logSink: (line: string) => process.stderr.write(`${line}\n`),
          }
        : {}),
      onRelayBlock: (n, total) => bar.update(n, total, scenario.name),
    });
    bar.finish();
    const full = {
      ...report,
      host: {
        wallMs: Date.now() - started,
        parapipeVersion: "0.1.0",
        node: process.version,
        nodeFlags: process.execArgv.filter((a) => a.startsWith("--max-")),
      },
    };
    reports.push(full);
    for (const v of report.safety.violations) {
      violations++;
      console.error(
        `${style.red("SAFETY")} ${scenario.name}: relay block #${v.relayBlock}: ${v.invariant}: ${v.message}\n` +
          `  replay: parapipe run ${srcs[i]!.replay} --seed ${scenario.seed} --relay-blocks ${scenario.relayBlocks} --generation ${scenario.generation} --log debug`,
      );
    }
  }
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
        `${r.name}: trace ${r.traceHash.slice(0, 18)}..., ${r.safety.violations.length} safety violations, ` +
          `${edge} availability-edge drops, ${r.safety.coreConflictDrops} core-conflict drops, ${p} runtime panics, ${(r.host.wallMs / 1000).toFixed(1)} s wall`,
      );
    }
  }
  return violations > 0 ? 1 : 0;
}
