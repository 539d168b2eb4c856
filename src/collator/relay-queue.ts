/**
 * Sequential processing of relay-chain block notifications: relay-chain-driven collators handle
 * one notification at a time, in arrival order (`while let Some(..) = stream.next().await`), so a
 * relay block that arrives while blocks are being built waits for the build to finish.
 *
 * Invariant: at most one notification is in process; `done` of a notification starts the next.
 *
 * Ref: cumulus/client/consensus/aura/src/collators/{basic.rs, lookahead.rs} (the main loops).
 */
import type { RelayHeader } from "../primitives/runtime-api.ts";

export class RelayBlockQueue {
  private readonly queue: RelayHeader[] = [];
  private busy = false;

  constructor(private readonly process: (header: RelayHeader, done: () => void) => void) {}

  push(header: RelayHeader): void {
    this.queue.push(header);
    if (!this.busy) this.next();
  }

  private next(): void {
    for (;;) {
      const header = this.queue.shift();
      if (header === undefined) {
        this.busy = false;
        return;
      }
      this.busy = true;
      let finishedSynchronously = false;
      let inLoop = true;
      this.process(header, () => {
        if (inLoop) finishedSynchronously = true;
        else this.next();
      });
      inLoop = false;
      if (!finishedSynchronously) return;
    }
  }
}
