/**
 * Signature checks charged to a CPU pool of the node: every received statement and
 * backed-candidate announcement (`main`) and availability bitfield (`bitfield-distribution`)
 * costs `verifyCostUs` per signature before it is used.
 *
 * Batching (a modelling shortcut, not a protocol change): checks that arrive while a batch is
 * running are queued and charged together as ONE job when it ends. The `main` pool is serial and
 * first come first served, so the total CPU time and the time the last check of a batch finishes
 * are exactly those of one job per check; only the earlier checks of a batch complete a little
 * later than they would alone. It turns the ~n^2 bitfield checks per relay block (every
 * validator checks every other validator's bitfield) into a handful of scheduler events per node.
 *
 * Invariants: callbacks run in submission order, each exactly once, after its cost was charged;
 * the real verification (`env.verify`, memoised by the world) runs inside the callback.
 *
 * Ref: polkadot/node/network/bitfield-distribution (checks on receipt),
 *      polkadot/node/network/statement-distribution/src/v2 (checks on receipt).
 */
import type { ActorEnv, CpuPool } from "../../actors/env.ts";

export class SignatureChecks {
  private pending: (() => void)[] = [];
  private pendingCostUs = 0;
  private running = false;

  constructor(
    private readonly env: Pick<ActorEnv, "cpu" | "verifyCostUs">,
    /** The CPU pool of the subsystem that checks (`main`, or `bitfield-distribution`). */
    private readonly pool: CpuPool = "main",
  ) {}

  /** Charges `count` signature checks, then runs `then`. */
  charge(count: number, then: () => void): void {
    this.pending.push(then);
    this.pendingCostUs += count * this.env.verifyCostUs;
    if (!this.running) this.flush();
  }

  private flush(): void {
    const batch = this.pending;
    const cost = Math.ceil(this.pendingCostUs);
    this.pending = [];
    this.pendingCostUs = 0;
    this.running = true;
    this.env.cpu(this.pool, cost, () => {
      this.running = false;
      for (const fn of batch) fn();
      if (this.pending.length > 0) this.flush();
    });
  }
}
