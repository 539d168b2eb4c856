/**
 * Progress of long runs, on stderr only (stdout stays the command's output): on a terminal a bar
 * redrawn at most every 100 ms with the elapsed time and an ETA; off a terminal (CI logs, pipes)
 * a plain line every `LINE_EVERY_MS` of wall time, so a long run is never silent.
 */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

const NONE: Progress = { update() {}, finish() {} };

/** Off a terminal, one line per this much wall time. */
export const LINE_EVERY_MS = 5000;

/** `12.3 s`, or `4 min 05 s`. */
function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
}

/** What a progress line says: how far, how long so far, and the estimated time left. */
export function progressText(
  done: number,
  total: number,
  elapsedMs: number,
  label: string,
): string {
  const eta =
    done > 0 && done < total ? `, ETA ${duration((elapsedMs * (total - done)) / done)}` : "";
  return `${label} ${done}/${total} relay blocks, ${duration(elapsedMs)}${eta}`;
}

export function progressBar(enabled: boolean): Progress {
  if (!enabled) return NONE;
  const started = Date.now();
  if (!process.stderr.isTTY) {
    let lastLine = started;
    return {
      update(done, total, label = "") {
        const now = Date.now();
        if (now - lastLine < LINE_EVERY_MS || done >= total) return;
        lastLine = now;
        process.stderr.write(`parapipe: ${progressText(done, total, now - started, label)}\n`);
      },
      finish() {},
    };
  }
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label = "") {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${progressText(done, total, now - started, label)} `,
      );
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write("\r\x1b[2K");
    },
  };
}
