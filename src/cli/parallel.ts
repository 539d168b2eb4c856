/**
 * Running a command's simulations (`--jobs N`): one after another in this thread when N is 1,
 * there is one run or the caller reads the worlds (`keep`) (exactly as before `--jobs` existed: a progress bar per run, its log lines and
 * then `finished` as each run ends), else in up to N worker threads (run-worker.ts), the costliest
 * runs handed out first (`runCost`), each worker taking the next run when it is done with one.
 *
 * What the caller sees does not depend on N: the results come back in the jobs' order, each the
 * same data a run in this thread gives (run-job.ts), and stderr holds the same lines in the same
 * order: a run's log lines and what `finished` prints for it come after those of the runs before
 * it (the first unfinished run's lines are written as they come, the later runs' held until it is
 * done). Only the progress differs: one bar (a line every few seconds off a terminal) for all
 * runs, the relay blocks done of every run against all of them.
 *
 * A worker loads the code this thread runs: dist/'s JavaScript when this module is dist/'s, else
 * the TypeScript sources through tsx, registered in the worker first as bin/parapipe.js registers
 * it (Node 20 resolves a worker's entry before any `--import` loader of its own could take a .ts
 * file). A worker's failure (an exception in a run, the thread dying) fails the whole command, as
 * the same exception would in this thread, unless the caller takes a run's exception (`failed`,
 * as `fuzz` does: an internal error is one of its findings, the other runs go on).
 *
 * `runEach` is the general form (`fuzz`): runs handed out in the jobs' order when `inOrder`, no
 * new run started once `more()` says false (their results stay undefined), exceptions passed to
 * `failed`. `runAll` is `runEach` with every run done.
 */
import { Worker } from "node:worker_threads";
import type { RunOutcome } from "../report/run.ts";
import { type Progress, progressBar } from "./progress.ts";
import {
  type RunError,
  type RunJob,
  type RunResult,
  runCost,
  runError,
  runJob,
} from "./run-job.ts";

export interface RunAllOptions {
  /** How many runs at once (worker threads); 1: one after another in this thread. */
  readonly jobs: number;
  /** Draw progress on stderr (a bar on a terminal, else a line every few seconds). */
  readonly progress: boolean;
  /** A run's progress label (one after another: each run's own bar). */
  readonly label: (job: RunJob) => string;
  /** Told of each run when it ends, in the jobs' order (for the lines printed after a run). */
  readonly finished?: (result: RunResult, index: number) => void;
  /**
   * Told of each run's whole outcome, the world included: the runs then run in this thread
   * whatever `jobs` says (a world cannot leave the thread it ran in).
   */
  readonly keep?: (outcome: RunOutcome, index: number) => void;
}

/** `runEach`'s options besides `runAll`'s (see the header). */
export interface RunEachOptions extends RunAllOptions {
  /** Hand the runs out in the jobs' order (default: costliest first). */
  readonly inOrder?: boolean;
  /** Asked before each run starts: false starts no more (those runs give no result). */
  readonly more?: () => boolean;
  /** Told of a run's exception, in the jobs' order; without it an exception fails everything. */
  readonly failed?: (error: RunError, index: number) => void;
}

/** A message from the main thread to a worker: run this job. */
export interface JobMessage {
  readonly index: number;
  readonly job: RunJob;
}

/** A message from a worker to the main thread. */
export type WorkerMessage =
  | {
      readonly kind: "progress";
      readonly index: number;
      readonly done: number;
      readonly total: number;
    }
  | { readonly kind: "log"; readonly index: number; readonly lines: readonly string[] }
  | { readonly kind: "result"; readonly index: number; readonly result: RunResult }
  | { readonly kind: "error"; readonly index: number; readonly error: RunError };

/** Run every job (see the header); the results in the jobs' order. */
export async function runAll(
  jobs: readonly RunJob[],
  options: RunAllOptions,
): Promise<RunResult[]> {
  return (await runEach(jobs, options)).map((r) => r!);
}

/** Run the jobs (see the header); each run's result in the jobs' order, undefined if not run. */
export async function runEach(
  jobs: readonly RunJob[],
  options: RunEachOptions,
): Promise<(RunResult | undefined)[]> {
  if (options.jobs <= 1 || jobs.length <= 1 || options.keep !== undefined) {
    return runInThisThread(jobs, options);
  }
  return runInWorkers(jobs, options);
}

function runInThisThread(
  jobs: readonly RunJob[],
  options: RunEachOptions,
): (RunResult | undefined)[] {
  const results: (RunResult | undefined)[] = jobs.map(() => undefined);
  for (const [i, job] of jobs.entries()) {
    if (options.more !== undefined && !options.more()) break;
    const bar = progressBar(options.progress);
    let result: RunResult;
    try {
      result = runJob(job, {
        onRelayBlock: (n, total) => bar.update(n, total, options.label(job)),
        logSink: (line) => process.stderr.write(`${line}\n`),
        ...(options.keep === undefined ? {} : { keep: (outcome) => options.keep?.(outcome, i) }),
      });
    } catch (e) {
      bar.finish();
      if (options.failed === undefined) throw e;
      options.failed(runError(e), i);
      continue;
    }
    bar.finish();
    options.finished?.(result, i);
    results[i] = result;
  }
  return results;
}

/** The order runs are handed out in: costliest first, ties in the jobs' order. */
export function handOutOrder(jobs: readonly RunJob[]): number[] {
  const costs = jobs.map((j) => runCost(j.scenario));
  return jobs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
}

/** The worker's entry, as the code this module is part of (see the header). */
function startWorker(): Worker {
  const sources = import.meta.url.endsWith(".ts");
  const entry = new URL(sources ? "./run-worker.ts" : "./run-worker.js", import.meta.url);
  if (!sources) return new Worker(entry);
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    { eval: true },
  );
}

async function runInWorkers(
  jobs: readonly RunJob[],
  options: RunEachOptions,
): Promise<(RunResult | undefined)[]> {
  const queue = options.inOrder ? jobs.map((_, i) => i) : handOutOrder(jobs);
  const results: (RunResult | undefined)[] = jobs.map(() => undefined);
  const done = jobs.map(() => 0);
  const totals = jobs.map((j) => j.scenario.warmupRelayBlocks + j.scenario.relayBlocks);
  const threads = Math.min(options.jobs, jobs.length);
  const bar = progressBar(options.progress);
  const stderr = new OrderedStderr(jobs.length, bar);
  let ended = 0;
  let running = 0;
  const drawProgress = (): void => {
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    bar.update(
      sum(done),
      sum(totals),
      `${jobs.length} runs on ${threads} threads (${ended} done):`,
    );
  };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const handOut = (worker: Worker): boolean => {
        if (options.more !== undefined && !options.more()) queue.length = 0;
        const index = queue.shift();
        if (index === undefined) return false;
        const message: JobMessage = { index, job: jobs[index]! };
        worker.postMessage(message);
        running++;
        return true;
      };
      // A run has ended (a result or a caught exception): the worker takes the next one.
      const next = (worker: Worker): boolean => {
        running--;
        ended++;
        drawProgress();
        const busy = handOut(worker);
        if (running === 0) {
          // Runs never started (`more`) end the ordered output here.
          stderr.flush();
          resolve();
        }
        return busy;
      };
      for (let t = 0; t < threads; t++) {
        const worker = startWorker();
        workers.push(worker);
        let busy = handOut(worker);
        if (!busy && running === 0) resolve();
        worker.on("message", (m: WorkerMessage) => {
          if (m.kind === "progress") {
            done[m.index] = m.done;
            totals[m.index] = m.total;
            drawProgress();
          } else if (m.kind === "log") {
            for (const line of m.lines) stderr.write(m.index, `${line}\n`);
          } else if (m.kind === "error") {
            const failed = options.failed;
            if (failed === undefined) {
              reject(new Error(`a run failed in a --jobs worker thread: ${m.error.stack}`));
              return;
            }
            stderr.end(m.index, () => failed(m.error, m.index));
            busy = next(worker);
          } else {
            results[m.index] = m.result;
            stderr.end(m.index, () => options.finished?.(m.result, m.index));
            busy = next(worker);
          }
        });
        worker.on("error", reject);
        worker.on("exit", (code) => {
          if (busy) reject(new Error(`a --jobs worker thread exited (code ${code}) during a run`));
        });
      }
    });
  } finally {
    bar.finish();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Stderr in run order (see the header): the first unfinished run writes through, the later runs'
 * text and end-of-run lines are held until every run before them has ended. The progress bar is
 * cleared before anything is written (it is redrawn at the next update).
 */
class OrderedStderr {
  private next = 0;
  private readonly held: string[][];
  private readonly ends: ((() => void) | undefined)[];

  constructor(
    runs: number,
    private readonly bar: Progress,
  ) {
    this.held = Array.from({ length: runs }, () => []);
    this.ends = Array.from({ length: runs }, () => undefined);
  }

  write(index: number, text: string): void {
    if (index === this.next) this.out(text);
    else this.held[index]!.push(text);
  }

  /** Run `index` has ended: `after` prints its closing lines, in turn. */
  end(index: number, after: () => void): void {
    this.ends[index] = after;
    while (this.next < this.held.length) {
      const ending = this.ends[this.next];
      if (ending === undefined) break;
      this.bar.finish();
      ending();
      this.next++;
      if (this.next < this.held.length) {
        for (const text of this.held[this.next]!) this.out(text);
        this.held[this.next] = [];
      }
    }
  }

  /** Every run still to come will never end (not started): what ended after them is written. */
  flush(): void {
    for (let i = this.next; i < this.held.length; i++) {
      const ending = this.ends[i];
      if (ending === undefined) continue;
      for (const text of this.held[i]!) this.out(text);
      this.bar.finish();
      ending();
    }
    this.next = this.held.length;
  }

  private out(text: string): void {
    this.bar.finish();
    process.stderr.write(text);
  }
}
