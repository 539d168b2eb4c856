/**
 * The `session-change` fault (SCENARIO.md "Faults and adversaries"): pallet_session's rotation at
 * the relay slot the fault names, handed to the relay runtime as the block's `newSession`
 * (`relay/session-change.ts` applies it at the end of the block).
 *
 * - When: BABE ends a session (epoch) at the first block whose slot is at or past the session's
 *   end slot, so the change takes effect in the first block authored in a slot `>= at` (today
 *   block N is authored in slot N: the block numbered `at`). Several changes due in one block
 *   apply once, with the last session index (the initializer applies only the last buffered
 *   change: "all others lasted less than a block").
 * - The shuffle: Polkadot seeds it with the session's BABE randomness; here each new session `s`
 *   draws a permutation of the active validators from its own stream `rng.fork("session/<s>")`
 *   (a fork of the world's root stream, so a run without this fault draws nothing new and keeps
 *   its trace byte for byte).
 * - Targets: validators keep their genesis index for the whole run (the runtime renames the groups
 *   instead, see `relay/session-change.ts`), so every fault and adversary target names a node by
 *   its genesis index, before and after a shuffle.
 *
 * Ref: polkadot/runtime/parachains/src/initializer.rs (on_new_session, BufferedSessionChanges),
 *      substrate/frame/babe (should_end_session), substrate/frame/session (rotate_session).
 */
import type { AppliedFault } from "../config/faults.ts";
import type { Prng } from "../lib/prng.ts";
import type { SessionChange } from "../relay/session-change.ts";
import type { RelayState } from "../relay/state.ts";

export class SessionChanges {
  /** The slots of the session changes not yet applied, ascending. */
  private readonly due: number[];

  constructor(
    faults: readonly AppliedFault[],
    private readonly rng: Prng,
  ) {
    this.due = faults
      .filter((f) => f.kind === "session-change")
      .map((f) => f.at)
      .sort((a, b) => a - b);
  }

  /** Whether the run has any session change to apply. */
  get any(): boolean {
    return this.due.length > 0;
  }

  /**
   * The session change the block authored in `slot` on `parent` carries, or undefined. Consumes
   * every change due by `slot`.
   */
  at(slot: number, parent: RelayState): SessionChange | undefined {
    let count = 0;
    while (this.due.length > 0 && this.due[0]! <= slot) {
      this.due.shift();
      count++;
    }
    if (count === 0) return undefined;
    const sessionIndex = parent.shared.currentSessionIndex + count;
    const n = parent.shared.activeValidatorKeys.length;
    const shuffle = this.rng
      .fork(`session/${sessionIndex}`)
      .shuffle(Array.from({ length: n }, (_, i) => i));
    return { sessionIndex, shuffle };
  }
}
