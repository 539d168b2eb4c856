/**
 * A progress bar on stderr for long runs, drawn only when stderr is a terminal (never in pipes,
 * CI logs or --json output), redrawn at most every 100 ms of wall time.
 */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

const NONE: Progress = { update() {}, finish() {} };

export function progressBar(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return NONE;
  let last = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total, label = "") {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      const secs = ((now - started) / 1000).toFixed(1);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${label} ${done}/${total} relay blocks, ${secs} s `,
      );
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write("\r\x1b[2K");
    },
  };
}
