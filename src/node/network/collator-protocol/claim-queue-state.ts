/**
 * `ClaimQueueState` of the collator protocol's validator side (collation fetching fairness, PR
 * #4880; current generation, SEMANTICS.md §7 C3): replays a path of relay blocks, each with the
 * claim queue of my core at that block, and the claims already made at each block, to tell
 * whether a para still has an unclaimed position at a relay parent.
 *
 * Each relay block owns one slot: position 0 of its own claim queue. The window of relay parent
 * X is X's slot followed by the slots of the next `claim_queue_len(X) - 1` blocks of the path,
 * continuing into projected future blocks (the rest of the last block's claim queue). A claim
 * made at X takes the first free matching slot of that window, so it may use a later block's.
 *
 * Invariants: blocks are added oldest first (`addLeaf`), each once; a future block becomes real
 * when its block is added, keeping its `claimed` mark when the claim it projected still holds.
 *
 * Ref: polkadot/node/network/collator-protocol/src/validator_side/claim_queue_state.rs (the
 *      #4880 version: add_leaf, get_window, claim_at, can_claim_at, unclaimed_at), read in the
 *      index (find_string id 39141834036); in the collator protocol of stable2503 to stable2603.
 */
import type { Hash } from "../../../lib/hex.ts";
import type { ParaId } from "../../../primitives/codecs.ts";

/** `ClaimInfo`: one slot (a block's position 0, or a projected future block's). */
interface ClaimInfo {
  readonly hash: Hash | null;
  claim: ParaId | null;
  readonly claimQueueLen: number;
  claimed: boolean;
}

export class ClaimQueueState {
  private readonly blockState: ClaimInfo[] = [];
  private readonly futureBlocks: ClaimInfo[] = [];

  /** `add_leaf`: append block `hash` whose claim queue (of my core) is `claimQueue`. */
  addLeaf(hash: Hash, claimQueue: readonly ParaId[]): void {
    if (this.blockState.some((b) => b.hash === hash)) return;
    // Reconcile the projected future blocks with this block's claim queue.
    claimQueue.forEach((expected, idx) => {
      const future = this.futureBlocks[idx];
      if (future === undefined) {
        this.futureBlocks.push({ hash: null, claim: expected, claimQueueLen: 1, claimed: false });
      } else if (future.claim !== expected) {
        future.claimed = false;
        future.claim = expected;
      }
    });
    const first = this.futureBlocks.shift();
    this.blockState.push({
      hash,
      claim: claimQueue[0] ?? null,
      claimQueueLen: claimQueue.length,
      claimed: first?.claimed ?? false,
    });
  }

  /** `get_window`: the slots relay parent `relayParent` may claim, in order. */
  private window(relayParent: Hash): ClaimInfo[] {
    const start = this.blockState.findIndex((b) => b.hash === relayParent);
    if (start === -1) return [];
    const len = this.blockState[start]!.claimQueueLen;
    return [...this.blockState.slice(start), ...this.futureBlocks].slice(0, len);
  }

  /** `claim_at`: claim the first free slot of `para` in the window; false when there is none. */
  claimAt(relayParent: Hash, para: ParaId): boolean {
    for (const w of this.window(relayParent)) {
      if (w.claimed) continue;
      if (w.claim === para) {
        w.claimed = true;
        return true;
      }
    }
    return false;
  }

  /** `can_claim_at`: whether `para` has a free slot in the window of `relayParent`. */
  canClaimAt(relayParent: Hash, para: ParaId): boolean {
    return this.window(relayParent).some((w) => !w.claimed && w.claim === para);
  }

  /** `unclaimed_at`: the paras of the free slots of the window, in order. */
  unclaimedAt(relayParent: Hash): ParaId[] {
    const out: ParaId[] = [];
    for (const w of this.window(relayParent)) if (!w.claimed && w.claim !== null) out.push(w.claim);
    return out;
  }
}
