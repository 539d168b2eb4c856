/**
 * `parapipe fuzz --seeds N [--from S] [--jobs J] [--minutes M] [--out DIR] [--stop-on-failure]
 * [--shrink] [--json]`: a VOPR for the inclusion pipeline (docs/fuzz.md). Seed by seed (S, S+1,
 * ... S+N-1) it draws a scenario (fuzz-draw.ts), resolves it as `run` resolves a file, runs it on
 * the `--jobs` worker threads (parallel.ts `runEach`, in seed order), and judges it: a broken
 * safety invariant, a liveness failure, or an internal error (an exception in the run, or a draw
 * the scenario checks refuse). Each failing scenario is written fully resolved to
 * `DIR/seed-S.yaml`, so `parapipe run DIR/seed-S.yaml` replays it exactly (same trace hash), and
 * one line is printed: `FAIL seed S: <invariant or liveness>: parapipe run DIR/seed-S.yaml`
 * (prefixed `PARAPIPE_BUGGIFY=NAME ` when a bug is planted). It ends with a table: runs, how many
 * runs exercised each fault and adversary kind, the invariants checked, the failures.
 *
 * `--shrink` reduces each safety or liveness failure (drop faults and adversaries one at a time,
 * halve windows, fewer relay blocks, fewer validators) while it fails the same way (same kind and
 * invariant), and writes the smallest to `DIR/seed-S.min.yaml` (the replay line names it).
 * `--minutes M` starts no new seed after M minutes; `--stop-on-failure` none after the first
 * failure (runs already started finish and are reported).
 *
 * Exit: 4 an internal error, else 1 a safety failure, else 3 a liveness failure, else 0; 2 bad
 * input, nothing run (SCENARIO.md).
 *
 * The verdict of a run goes through one small interface (`RunVerdict`: the safety invariant ids
 * it broke, a liveness flag): `runVerdict`. The liveness flag is SCENARIO.md's rule computed on
 * the report's inclusion events (`livenessFailed`); the simulator's own liveness verdict
 * replaces it when the report carries one.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { type AppliedFault, MODELLED_KINDS } from "../config/faults.ts";
import {
  livenessRelayBlocks,
  resolveScenario,
  type Scenario,
  scenarioFaults,
} from "../config/scenario.ts";
import type { PlantedBug } from "../relay/buggify.ts";
import { textTable } from "../report/table.ts";
import type { Violation } from "../sim/checkers.ts";
import { buggifyFromEnv, buggifyPrefix } from "./buggify.ts";
import { ALL_KINDS, type DrawnKind, drawnKinds, drawScenario } from "./fuzz-draw.ts";
import { InputError } from "./input-error.ts";
import { runEach } from "./parallel.ts";
import { type RunJob, type RunResult, runJob } from "./run-job.ts";
import { integerOption, jobsOption, resolveAll } from "./targets.ts";

export interface FuzzOptions {
  readonly seeds?: string;
  readonly from?: string;
  readonly jobs?: string;
  readonly minutes?: string;
  readonly out?: string;
  readonly stopOnFailure?: boolean;
  readonly shrink?: boolean;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export type FailureKind = "safety" | "liveness" | "internal";

export interface FuzzFailure {
  readonly seed: number;
  readonly kind: FailureKind;
  /** The safety invariant's id (the first broken), or null. */
  readonly invariant: string | null;
  readonly replay: string;
}

/** What the fuzzer reads of a run (see the header). */
export interface RunVerdict {
  /**
   * Ids of the safety invariants the run broke, first broken first; within one relay block in
   * `INVARIANTS_CHECKED` order (a forged inclusion breaks `available` and `bitfield-threshold`
   * in the same block: the inclusion is named first).
   */
  readonly safety: readonly string[];
  readonly liveness: boolean;
}

/** The invariants every run checks (src/sim/checkers.ts; a new id fails to compile here). */
const INVARIANT_IDS: Readonly<Record<Violation["invariant"], true>> = {
  "backed-by-group": true,
  available: true,
  "heads-chain": true,
  "relay-parent": true,
  "included-twice": true,
  "node-runtime-agreement": true,
  "bitfield-threshold": true,
  "approved-before-final": true,
};
export const INVARIANTS_CHECKED = Object.keys(INVARIANT_IDS);

export const DEFAULT_FUZZ_OUT = "fuzz-failures";

type Report = RunResult["report"];

/** The run's verdict: its safety violations and liveness (see the header). */
export function runVerdict(scenario: Scenario, report: Report): RunVerdict {
  const rank = (id: string) => INVARIANTS_CHECKED.indexOf(id);
  const ordered = [...report.safety.violations].sort(
    (a, b) => a.relayBlock - b.relayBlock || rank(a.invariant) - rank(b.invariant),
  );
  const safety = [...new Set(ordered.map((v) => v.invariant))];
  return { safety, liveness: livenessFailed(scenario, report) };
}

/**
 * SCENARIO.md's liveness rule on the report's inclusion events: after the last fault ends (or,
 * without faults, after the warm-up), every para includes again within `livenessRelayBlocks`,
 * and every para includes something in the measured blocks. A report that carries the
 * simulator's verdict (`liveness[para].failure`, src/sim/liveness.ts) is taken at its word.
 */
export function livenessFailed(scenario: Scenario, report: Report): boolean {
  // The run report's own verdict (src/sim/liveness.ts, judged in relay slots): a para's failure.
  const own = (report as { liveness?: Readonly<Record<string, { failure?: unknown }>> }).liveness;
  if (own !== undefined) return Object.values(own).some((l) => typeof l.failure === "string");
  const faults: readonly AppliedFault[] = scenarioFaults(scenario);
  const firstMeasured = scenario.warmupRelayBlocks + 1;
  const lastBlock = scenario.warmupRelayBlocks + scenario.relayBlocks;
  const healed = Math.max(firstMeasured, ...faults.map((f) => f.until));
  const bound = livenessRelayBlocks(scenario);
  for (const para of scenario.parachains) {
    const included = report.events
      .filter((e) => e.type === "CandidateIncluded" && e.paraId === para.id)
      .map((e) => e.relayBlock);
    if (!included.some((b) => b >= firstMeasured)) return true;
    // Judged only when the run lasts long enough after the faults healed.
    if (healed + bound <= lastBlock && !included.some((b) => b >= healed && b <= healed + bound))
      return true;
  }
  return false;
}

/** A verdict as a failure's kind and invariant, or null when the run passed. */
export function failureOf(
  verdict: RunVerdict,
): { readonly kind: FailureKind; readonly invariant: string | null } | null {
  if (verdict.safety.length > 0) return { kind: "safety", invariant: verdict.safety[0]! };
  if (verdict.liveness) return { kind: "liveness", invariant: null };
  return null;
}

/**
 * A resolved scenario as the scenario file that replays it: every key explicit, as
 * `resolveScenario` reads it back to the same scenario (`session-change` takes no `for`).
 */
export function scenarioFileObject(s: Scenario): Record<string, unknown> {
  return {
    ...s,
    faults: s.faults.map((f) => (f.kind === "session-change" ? { at: f.at, kind: f.kind } : f)),
  };
}

function scenarioYaml(s: Scenario | Record<string, unknown>, comment: readonly string[]): string {
  const body = stringify("relay" in s && "faults" in s ? scenarioFileObject(s as Scenario) : s);
  return `${comment.map((c) => `# ${c}\n`).join("")}${body}`;
}

/** What tests hand the command instead of the defaults. */
export interface FuzzSeams {
  /** The scenario of a seed (default `drawScenario`). */
  readonly draw?: (seed: number) => Record<string, unknown>;
  /** The environment `PARAPIPE_BUGGIFY` is read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The fuzz command (see the header); its exit code. */
export async function fuzzCommand(opts: FuzzOptions, seams: FuzzSeams = {}): Promise<number> {
  const seeds = integerOption("seeds", opts.seeds, 1);
  if (seeds === undefined) throw new InputError("--seeds: missing (expected an integer >= 1)");
  const from = integerOption("from", opts.from, 0) ?? 1;
  const jobs = jobsOption(opts.jobs);
  let deadlineMs: number | undefined;
  if (opts.minutes !== undefined) {
    const m = Number(opts.minutes);
    if (opts.minutes.trim() === "" || !Number.isFinite(m) || m <= 0)
      throw new InputError(`--minutes: expected a number > 0, got ${JSON.stringify(opts.minutes)}`);
    deadlineMs = Date.now() + m * 60_000;
  }
  const bug = buggifyFromEnv(seams.env);
  const out = opts.out ?? DEFAULT_FUZZ_OUT;
  const started = Date.now();
  const say = (line: string) => (opts.json ? console.error(line) : console.log(line));

  const failures: FuzzFailure[] = [];
  const exercised = new Map<DrawnKind, number>(ALL_KINDS.map((k) => [k, 0]));
  let runs = 0;
  const fail = (failure: FuzzFailure) => {
    failures.push(failure);
    say(`FAIL seed ${failure.seed}: ${failure.invariant ?? failure.kind}: ${failure.replay}`);
  };
  const write = (name: string, text: string): string => {
    mkdirSync(out, { recursive: true });
    const path = join(out, name);
    writeFileSync(path, text);
    return path;
  };
  const replayOf = (path: string) => `${buggifyPrefix(bug)}parapipe run ${path}`;

  // Draw and resolve every seed first (cheap); a refused draw is an internal error.
  const drawn: { seed: number; scenario: Scenario; kinds: DrawnKind[] }[] = [];
  for (let seed = from; seed < from + seeds; seed++) {
    const input = (seams.draw ?? drawScenario)(seed);
    try {
      const [scenario] = resolveAll(
        [{ label: `seed ${seed}`, replay: `seed ${seed}`, input }],
        undefined,
        undefined,
        undefined,
      );
      drawn.push({ seed, scenario: scenario!, kinds: drawnKinds(input) });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const path = write(
        `seed-${seed}.yaml`,
        scenarioYaml(input, [
          `parapipe fuzz seed ${seed}: the draw was refused (a fuzzer bug):`,
          ...e.message.split("\n"),
        ]),
      );
      runs++;
      fail({ seed, kind: "internal", invariant: null, replay: replayOf(path) });
    }
  }

  const runJobs: RunJob[] = drawn.map(({ scenario }) => ({
    scenario,
    ...(bug === undefined ? {} : { buggify: bug }),
  }));
  const found: { seed: number; scenario: Scenario; kind: FailureKind; invariant: string | null }[] =
    [];
  await runEach(runJobs, {
    jobs,
    progress: opts.progress !== false,
    label: (job) => job.scenario.name,
    inOrder: true,
    more: () =>
      !(opts.stopOnFailure && failures.length > 0) &&
      (deadlineMs === undefined || Date.now() < deadlineMs),
    finished: (result, i) => {
      const { seed, scenario, kinds } = drawn[i]!;
      runs++;
      for (const k of kinds) exercised.set(k, exercised.get(k)! + 1);
      const failure = failureOf(runVerdict(scenario, result.report));
      if (failure === null) return;
      const path = write(
        `seed-${seed}.yaml`,
        scenarioYaml(scenario, [
          `parapipe fuzz seed ${seed}: ${failure.kind}${failure.invariant === null ? "" : ` (${failure.invariant})`}, trace ${result.report.traceHash}`,
          `replay: ${replayOf(join(out, `seed-${seed}.yaml`))}`,
        ]),
      );
      found.push({ seed, scenario, ...failure });
      fail({ seed, ...failure, replay: replayOf(path) });
    },
    failed: (error, i) => {
      const { seed, scenario, kinds } = drawn[i]!;
      runs++;
      for (const k of kinds) exercised.set(k, exercised.get(k)! + 1);
      write(`seed-${seed}.stack.txt`, `${error.stack}\n`);
      const path = write(
        `seed-${seed}.yaml`,
        scenarioYaml(scenario, [
          `parapipe fuzz seed ${seed}: internal error: ${error.message.split("\n")[0]}`,
          `stack trace: ${join(out, `seed-${seed}.stack.txt`)}`,
        ]),
      );
      fail({ seed, kind: "internal", invariant: null, replay: replayOf(path) });
    },
  });

  if (opts.shrink) {
    for (const f of found) {
      const minimal = shrinkScenario(f.scenario, { kind: f.kind, invariant: f.invariant }, bug);
      const path = write(
        `seed-${f.seed}.min.yaml`,
        scenarioYaml(minimal.scenario, [
          `parapipe fuzz seed ${f.seed}, shrunk (${minimal.steps} steps, ${minimal.tried} runs tried): ${f.invariant ?? f.kind}`,
        ]),
      );
      const i = failures.findIndex((x) => x.seed === f.seed);
      failures[i] = { ...failures[i]!, replay: replayOf(path) };
      say(`SHRUNK seed ${f.seed}: ${f.invariant ?? f.kind}: ${replayOf(path)}`);
    }
  }

  const sorted = [...failures].sort((a, b) => a.seed - b.seed);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          runs,
          failures: sorted.map(({ seed, kind, invariant, replay }) => ({
            seed,
            kind,
            invariant,
            replay,
          })),
          exercised: Object.fromEntries(exercised),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    console.log(fuzzTable(runs, from, exercised, sorted, Date.now() - started, bug));
  }
  return exitCode(sorted);
}

/** 4 an internal error, else 1 a safety failure, else 3 a liveness failure, else 0. */
export function exitCode(failures: readonly FuzzFailure[]): number {
  if (failures.some((f) => f.kind === "internal")) return 4;
  if (failures.some((f) => f.kind === "safety")) return 1;
  if (failures.some((f) => f.kind === "liveness")) return 3;
  return 0;
}

function fuzzTable(
  runs: number,
  from: number,
  exercised: ReadonlyMap<DrawnKind, number>,
  failures: readonly FuzzFailure[],
  wallMs: number,
  bug: PlantedBug | undefined,
): string {
  const count = (k: FailureKind) => failures.filter((f) => f.kind === k).length;
  const rows = ALL_KINDS.map((k) => [
    k,
    String(exercised.get(k) ?? 0),
    MODELLED_KINDS.has(k) ? "" : "not modelled yet",
  ]);
  return [
    `fuzz: ${runs} runs (seeds ${from}..${from + runs - 1}), ${(wallMs / 1000).toFixed(1)} s wall${bug === undefined ? "" : `, planted bug ${bug}`}`,
    "",
    textTable(["fault / adversary kind", "runs exercising it", ""], rows),
    "",
    `invariants checked: ${INVARIANTS_CHECKED.join(", ")}; liveness`,
    `failures: ${failures.length} (safety ${count("safety")}, liveness ${count("liveness")}, internal ${count("internal")})`,
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// Shrinking
// ---------------------------------------------------------------------------------------------

/** The most runs one shrink may try. */
export const SHRINK_MAX_RUNS = 60;

/**
 * Smaller variants of a scenario, the likeliest reductions first: each fault and adversary
 * dropped, each window halved, a quarter fewer relay blocks, one validator fewer. Each is a
 * scenario file object (resolved again before it runs; a variant the checks refuse is skipped).
 */
export function shrinkCandidates(s: Scenario): Record<string, unknown>[] {
  const base = scenarioFileObject(s);
  const faults = base.faults as readonly Record<string, unknown>[];
  const out: Record<string, unknown>[] = [];
  faults.forEach((_, i) => {
    out.push({ ...base, faults: faults.filter((_, j) => j !== i) });
  });
  s.adversaries.forEach((_, i) => {
    out.push({ ...base, adversaries: s.adversaries.filter((_, j) => j !== i) });
  });
  faults.forEach((f, i) => {
    const length = f.for as number | undefined;
    if (length !== undefined && length > 1) {
      const halved = { ...f, for: Math.ceil(length / 2) };
      out.push({ ...base, faults: faults.map((g, j) => (j === i ? halved : g)) });
    }
  });
  s.adversaries.forEach((a, i) => {
    const halved =
      a.for !== undefined && a.for > 1
        ? { ...a, for: Math.ceil(a.for / 2) }
        : a.for === undefined
          ? {
              ...a,
              at: a.at ?? 0,
              for: Math.max(1, Math.ceil((s.warmupRelayBlocks + s.relayBlocks) / 2)),
            }
          : null;
    if (halved !== null)
      out.push({
        ...base,
        adversaries: s.adversaries.map((b, j) => (j === i ? halved : b)),
      });
  });
  if (s.relayBlocks > 4)
    out.push({ ...base, relayBlocks: s.relayBlocks - Math.ceil(s.relayBlocks / 4) });
  if (s.relay.validators > 4)
    out.push({ ...base, relay: { ...s.relay, validators: s.relay.validators - 1 } });
  return out;
}

/**
 * `--shrink`: the smallest variant found (greedy: take the first smaller variant that fails the
 * same way, start again from it) within `SHRINK_MAX_RUNS` runs.
 */
export function shrinkScenario(
  scenario: Scenario,
  target: { readonly kind: FailureKind; readonly invariant: string | null },
  bug: PlantedBug | undefined,
  maxRuns = SHRINK_MAX_RUNS,
): { scenario: Scenario; steps: number; tried: number } {
  let current = scenario;
  let steps = 0;
  let tried = 0;
  let progress = true;
  while (progress && tried < maxRuns) {
    progress = false;
    for (const candidate of shrinkCandidates(current)) {
      if (tried >= maxRuns) break;
      const resolved = resolveScenario(candidate);
      if (!resolved.ok) continue;
      tried++;
      let failure: ReturnType<typeof failureOf>;
      try {
        const result = runJob({
          scenario: resolved.value,
          ...(bug === undefined ? {} : { buggify: bug }),
        });
        failure = failureOf(runVerdict(resolved.value, result.report));
      } catch {
        continue; // another failure (an internal error): not the same way
      }
      if (
        failure !== null &&
        failure.kind === target.kind &&
        failure.invariant === target.invariant
      ) {
        current = resolved.value;
        steps++;
        progress = true;
        break;
      }
    }
  }
  return { scenario: current, steps, tried };
}
