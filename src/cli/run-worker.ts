/**
 * The entry of a `--jobs` worker thread (started by src/cli/parallel.ts): sets the thread up as
 * the main thread is set up (thread-setup.ts), then runs each job it is sent with `runJob`, the
 * function the main thread runs jobs with under `--jobs 1`, and posts back the run's progress,
 * its log lines (batched per relay block) and its result, or the exception the run threw. It runs one job at a time; the main
 * thread sends the next when the result arrives, and ends the thread when every run is done.
 */
import { parentPort } from "node:worker_threads";
import type { JobMessage, WorkerMessage } from "./parallel.ts";
import { runError, runJob } from "./run-job.ts";
import { setUpThread } from "./thread-setup.ts";

const port = parentPort;
if (port === null) throw new Error("run-worker.ts is the entry of a worker thread");
const post = (message: WorkerMessage): void => port.postMessage(message);

await setUpThread();
port.on("message", ({ index, job }: JobMessage) => {
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    post({ kind: "log", index, lines });
    lines = [];
  };
  try {
    const result = runJob(job, {
      onRelayBlock: (done, total) => {
        flush();
        post({ kind: "progress", index, done, total });
      },
      logSink: (line) => lines.push(line),
    });
    flush();
    post({ kind: "result", index, result });
  } catch (e) {
    // The main thread decides: a failed command, or (`fuzz`) an internal error among its findings.
    flush();
    post({ kind: "error", index, error: runError(e) });
  }
});
