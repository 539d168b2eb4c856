/**
 * An internal error (a bug in parapipe: an exception inside a simulation) and what `run` does
 * with it (SCENARIO.md "Faults and adversaries": exit 4): the stack trace written to
 * `parapipe-crash-<seed>.txt` in the current directory, and the replay command printed. Also the
 * run's exit code, from what it found: 4 an internal error, else 1 a broken safety invariant or a
 * failed check, else 3 a liveness failure, else 0 (2, bad input, is decided before anything runs).
 *
 * A crash keeps the index of the run it happened in (`RunCrash`), in this thread or in a `--jobs`
 * worker (parallel.ts), so the replay names that run.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Scenario } from "../config/scenario.ts";

/** An Error, or a worker's `RunError` (its message and stack as data). */
function errorLike(o: unknown): o is { readonly message: string; readonly stack?: string } {
  return (
    typeof o === "object" && o !== null && typeof (o as { message?: unknown }).message === "string"
  );
}

/** An exception inside run `index` of a command's runs (thrown, or a worker's `RunError`). */
export class RunCrash extends Error {
  constructor(
    readonly index: number,
    readonly original: unknown,
  ) {
    super(errorLike(original) ? original.message : String(original));
    this.name = "RunCrash";
  }

  /** The original's stack trace (its message when it has none). */
  get trace(): string {
    const o = this.original;
    return errorLike(o) ? (o.stack ?? o.message) : String(o);
  }
}

/** The command that replays a run: its source (a file or `--preset NAME`) and its options. */
export function replayCommand(source: string, scenario: Scenario): string {
  return (
    `parapipe run ${source} --seed ${scenario.seed} --relay-blocks ${scenario.relayBlocks} ` +
    `--generation ${scenario.generation}`
  );
}

/**
 * Write the crash's stack trace to `parapipe-crash-<seed>.txt` in `dir` (the current directory
 * by default) and return the lines to print: what broke, where the trace is, the replay command.
 */
export function reportCrash(
  crash: RunCrash,
  scenario: Scenario,
  source: string,
  dir: string = process.cwd(),
): string[] {
  const replay = replayCommand(source, scenario);
  const file = resolve(dir, `parapipe-crash-${scenario.seed}.txt`);
  const lines = [
    `INTERNAL ERROR ${scenario.name}: ${crash.message}`,
    `  a bug in parapipe; the stack trace is in ${file}`,
    `  replay: ${replay}`,
  ];
  try {
    writeFileSync(file, `${lines[0]}\nreplay: ${replay}\n\n${crash.trace}\n`);
  } catch (e) {
    lines[1] = `  a bug in parapipe; the stack trace could not be written to ${file} (${(e as Error).message}):\n${crash.trace}`;
  }
  return lines;
}

/** What a command's runs found, for its exit code. */
export interface RunFindings {
  readonly crashed: boolean;
  /** Safety violations and failed `expect` checks. */
  readonly safetyOrChecks: number;
  readonly livenessFailures: number;
}

/** 4 an internal error, else 1 safety or a failed check, else 3 liveness, else 0. */
export function runExitCode(f: RunFindings): 0 | 1 | 3 | 4 {
  if (f.crashed) return 4;
  if (f.safetyOrChecks > 0) return 1;
  if (f.livenessFailures > 0) return 3;
  return 0;
}
