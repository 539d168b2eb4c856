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
 * the same exception would in this thread: an exception in a run comes back as a `RunCrash`
 * naming the run (crash.ts), in either case.
 */
import { Worker } from "node:worker_threads";
import type { RunOutcome } from "../report/run.ts";
import { RunCrash } from "./crash.ts";
import { type Progress, progressBar } from "./progress.ts";
import { type RunJob, type RunResult, runCost, runJob } from "./run-job.ts";

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
  | { readonly kind: "result"; readonly index: number; readonly result: RunResult };

/** Run every job (see the header); the results in the jobs' order. */
export async function runAll(
  jobs: readonly RunJob[],
  options: RunAllOptions,
): Promise<RunResult[]> {
  if (options.jobs <= 1 || jobs.length <= 1 || options.keep !== undefined) {
    return runInThisThread(jobs, options);
  }
  return runInWorkers(jobs, options);
}

function runInThisThread(jobs: readonly RunJob[], options: RunAllOptions): RunResult[] {
  return jobs.map((job, i) => {
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
      throw new RunCrash(i, e);
    }
    bar.finish();
    options.finished?.(result, i);
    return result;
  });
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

async function runInWorkers(jobs: readonly RunJob[], options: RunAllOptions): Promise<RunResult[]> {
  const queue = handOutOrder(jobs);
  const results: (RunResult | undefined)[] = jobs.map(() => undefined);
  const done = jobs.map(() => 0);
  const totals = jobs.map((j) => j.scenario.warmupRelayBlocks + j.scenario.relayBlocks);
  const threads = Math.min(options.jobs, jobs.length);
  const bar = progressBar(options.progress);
  const stderr = new OrderedStderr(jobs.length, bar);
  let ended = 0;
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
      const handOut = (worker: Worker): number | undefined => {
        const index = queue.shift();
        if (index === undefined) return undefined;
        const message: JobMessage = { index, job: jobs[index]! };
        worker.postMessage(message);
        return index;
      };
      for (let t = 0; t < threads; t++) {
        const worker = startWorker();
        workers.push(worker);
        // The run this worker is on (undefined: idle).
        let current = handOut(worker);
        worker.on("message", (m: WorkerMessage) => {
          if (m.kind === "progress") {
            done[m.index] = m.done;
            totals[m.index] = m.total;
            drawProgress();
          } else if (m.kind === "log") {
            for (const line of m.lines) stderr.write(m.index, `${line}\n`);
          } else {
            results[m.index] = m.result;
            ended++;
            drawProgress();
            stderr.end(m.index, () => options.finished?.(m.result, m.index));
            current = handOut(worker);
            if (ended === jobs.length) resolve();
          }
        });
        // An exception in a run: the worker's error, with the run it was on.
        worker.on("error", (e) => reject(current === undefined ? e : new RunCrash(current, e)));
        worker.on("exit", (code) => {
          if (current !== undefined)
            reject(new Error(`a --jobs worker thread exited (code ${code}) during a run`));
        });
      }
    });
  } finally {
    bar.finish();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.map((r) => r!);
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

  private out(text: string): void {
    this.bar.finish();
    process.stderr.write(text);
  }
}
