/**
 * Pruning of what the paras' collators accumulate over a run: the transaction pool, the para
 * block trees and the post-states. Without it a run's memory grows with its length (a saturated
 * para generates several thousand transactions and keeps a block of them and a ledger snapshot per
 * para block); with it, it holds a window of each para's chain.
 *
 * The window starts at the para's included head at an old enough relay block (the head after
 * that block's inclusion events; the included head only ever moves forward along the chain):
 * - Pool: at relay block N, the pool cursor of the head included by relay block
 *   N - `POOL_BEHIND_BLOCKS`. A collator builds on the included head at its relay parent or on a
 *   descendant of it (parent search), the relay parent's state must still be in the relay chain
 *   store (`RETAIN_STATES_BLOCKS`), and a chain's pool cursor only grows: no block is ever built
 *   from an older cursor. (The pool asserts if one were.)
 * - Para block trees and post-states: the number of the head included by relay block
 *   min(N - `POOL_BEHIND_BLOCKS`, F), where F is the block that was finalized
 *   `FINALITY_LAG_BLOCKS` relay blocks ago. Backing validates on the same parents as building;
 *   approval checking validates a candidate included in an unfinalized block B on the head
 *   included by B - 1, and a check that started before B was finalized ends within
 *   `APPROVAL_CHECKING_TIMEOUT_MS`, fewer relay blocks than that lag.
 *
 * It observes the relay chain's inclusion events and the finalized number, never steers: what it
 * drops is what nothing reads again, so a run's trace and report are those of a run without it.
 * A stalled finality holds the window open (the states are still needed).
 */
import type { CollatorBase } from "../collator/collator.ts";
import type { ParachainSetup } from "../collator/index.ts";
import type { Hash } from "../lib/hex.ts";
import { APPROVAL_CHECKING_TIMEOUT_MS } from "../node/core/approval-voting/time.ts";
import { RETAIN_STATES_BLOCKS } from "./relay-chain.ts";

/** How far behind the new relay block the pool's window starts (one more than the store keeps). */
export const POOL_BEHIND_BLOCKS = RETAIN_STATES_BLOCKS + 1;

/**
 * How many relay blocks old the finalized number the states' window starts from is, at least:
 * more than `APPROVAL_CHECKING_TIMEOUT_MS` (20 blocks of 6 s; more blocks for shorter slots).
 */
export const FINALITY_LAG_BLOCKS = 32;

/** What the pruning needs of an authored para block (the world's records). */
interface BlockFacts {
  readonly number: number;
  readonly poolCursor: number;
}

export interface ParaPruningParams {
  readonly paras: readonly ParachainSetup[];
  /** The running collators (a restart replaces one). */
  readonly collators: () => readonly CollatorBase[];
  /** An authored block by head hash. */
  readonly blockFacts: (headHash: Hash) => BlockFacts | undefined;
  /** The relay slot, ms (the approval timeout in relay blocks). */
  readonly slotDurationMs: number;
}

export class ParaPruning {
  /**
   * Per para, the changes of its included head, oldest first: `[relayBlock, head]`, the first
   * at or before the start of both windows (relay block -1: genesis).
   */
  private readonly heads = new Map<number, [relayBlock: number, head: Hash][]>();
  /** The finalized number after each of the last `lag + 1` relay blocks. */
  private readonly finalizedAfter: number[] = [];
  /** Relay blocks the states' window lags finality by (see the header). */
  private readonly lag: number;
  /** Per para, the block number the trees and states were last pruned below. */
  private readonly prunedBelow = new Map<number, number>();

  constructor(private readonly p: ParaPruningParams) {
    for (const para of p.paras) this.heads.set(para.spec.id, [[-1, para.genesis.headHash]]);
    // 20 blocks of 6 s slots; shorter slots need more blocks.
    const timeoutBlocks = Math.ceil(APPROVAL_CHECKING_TIMEOUT_MS / p.slotDurationMs);
    this.lag = Math.max(FINALITY_LAG_BLOCKS, timeoutBlocks + 1);
  }

  /** After relay block `number`: the heads it included, and the finalized number now. */
  afterBlock(
    number: number,
    included: readonly { readonly paraId: number; readonly headHash: Hash }[],
    finalized: number,
  ): void {
    for (const e of included) this.heads.get(e.paraId)?.push([number, e.headHash]);
    this.finalizedAfter.push(finalized);
    if (this.finalizedAfter.length > this.lag + 1) this.finalizedAfter.shift();
    const lagged = this.finalizedAfter.length > this.lag ? this.finalizedAfter[0]! : -1;
    const poolMark = number - POOL_BEHIND_BLOCKS;
    const stateMark = Math.min(poolMark, lagged);
    for (const para of this.p.paras) {
      const id = para.spec.id;
      const heads = this.heads.get(id)!;
      const poolHead = headAt(heads, poolMark);
      if (poolHead !== null) para.pool.compact(this.facts(poolHead).poolCursor);
      const stateHead = headAt(heads, stateMark);
      if (stateHead !== null) {
        const below = this.facts(stateHead).number;
        if (below > (this.prunedBelow.get(id) ?? 0)) {
          this.prunedBelow.set(id, below);
          para.store.prune(below);
          for (const c of this.p.collators()) if (c.paraId === id) c.prune(below);
        }
      }
      // Changes superseded at or before both marks are read no more.
      const keepFrom = Math.min(poolMark, stateMark);
      while (heads.length > 1 && heads[1]![0] <= keepFrom) heads.shift();
    }
  }

  /** A head's number and pool cursor (genesis: 0 and 0). */
  private facts(head: Hash): BlockFacts {
    return this.p.blockFacts(head) ?? { number: 0, poolCursor: 0 };
  }
}

/** The included head after relay block `at` (null before genesis: nothing to prune yet). */
function headAt(heads: readonly [number, Hash][], at: number): Hash | null {
  if (at < 0) return null;
  let head: Hash | null = null;
  for (const [relayBlock, h] of heads) {
    if (relayBlock > at) break;
    head = h;
  }
  return head;
}
