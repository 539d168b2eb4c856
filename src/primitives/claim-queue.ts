/**
 * The claim queue as the runtime API returns it (`BTreeMap<CoreIndex, VecDeque<ParaId>>`) and its
 * transposition per para and depth.
 * Ref: polkadot/primitives/src/vstaging/mod.rs `transpose_claim_queue`.
 */

import { getOrInsertComputed } from "../lib/memo.ts";
import type { CoreIndex, ParaId } from "./codecs.ts";

/** Per core (ascending), the para ids of its claims; position 0 is backable in the next block. */
export type ClaimQueueSnapshot = ReadonlyMap<CoreIndex, readonly ParaId[]>;

/** Per para, per depth, the set of cores claimed (`TransposedClaimQueue`). */
export type TransposedClaimQueue = ReadonlyMap<ParaId, ReadonlyMap<number, ReadonlySet<CoreIndex>>>;

/** Transpositions by snapshot object: both are read-only, and a runtime API hands every caller
 * of one block the same snapshot (100 collators submitting on one relay parent transpose it once). */
const transposed = new WeakMap<ClaimQueueSnapshot, TransposedClaimQueue>();

export function transposeClaimQueue(claimQueue: ClaimQueueSnapshot): TransposedClaimQueue {
  return getOrInsertComputed(transposed, claimQueue, transpose);
}

function transpose(claimQueue: ClaimQueueSnapshot): TransposedClaimQueue {
  const out = new Map<ParaId, Map<number, Set<CoreIndex>>>();
  const cores = [...claimQueue.keys()].sort((a, b) => a - b);
  for (const core of cores) {
    claimQueue.get(core)!.forEach((para, depth) => {
      const byDepth = out.get(para) ?? new Map<number, Set<CoreIndex>>();
      out.set(para, byDepth);
      const set = byDepth.get(depth) ?? new Set<CoreIndex>();
      byDepth.set(depth, set);
      set.add(core);
    });
  }
  return out;
}
