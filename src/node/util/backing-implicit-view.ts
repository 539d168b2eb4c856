/**
 * Block import and the node's views of the relay chain:
 * - `LeafTracker`: turns imported relay blocks into `ActiveLeavesUpdate`s. The simulated relay
 *   chain has no forks: a new block becomes the active leaf and its parent stops being one.
 * - `ImplicitView` (backing implicit view): per active leaf, the relay parents candidates may
 *   use. For each para scheduled at the leaf, the allowed relay parents are the leaf and its
 *   ancestors down to the para's minimum relay parent, which prospective-parachains reports
 *   (`GetMinimumRelayParents` = the fragment chain scope's earliest relay parent, i.e. at most
 *   `allowed_ancestry_len` ancestors, same session, not below `min_relay_parent_number`).
 *
 * Invariants:
 * - `contiguous` of a leaf is `[leaf, parent, grandparent, ...]`, consecutive numbers, down to the
 *   lowest minimum over the paras (the leaf alone when no para is scheduled); it stops early if an
 *   ancestor header is unknown.
 * - A para without a minimum at a leaf has no allowed relay parent under it.
 *
 * Ref: polkadot/node/subsystem-util/src/backing_implicit_view.rs (View::activate_leaf,
 *      fetch_fresh_leaf_and_insert_ancestry, AllowedRelayParents::allowed_relay_parents_for,
 *      known_allowed_relay_parents_under, all_allowed_relay_parents),
 *      polkadot/node/overseer (ActiveLeavesUpdate).
 */
import type { Hash } from "../../lib/hex.ts";
import type { BlockNumber, ParaId } from "../../primitives/codecs.ts";
import type { RelayHeader } from "../../primitives/runtime-api.ts";

/** `ActiveLeavesUpdate`: at most one activated leaf per imported block (no forks). */
export interface ActiveLeavesUpdate {
  readonly activated: RelayHeader | null;
  readonly deactivated: readonly Hash[];
}

/**
 * The active leaves of a fork-free chain: the best block is the only leaf. A block not higher
 * than the current leaf (a late or duplicate announcement) is ignored; a higher one replaces the
 * leaf (its parent, or any older leaf if an announcement was missed, is deactivated).
 */
export class LeafTracker {
  private leaf: RelayHeader | null = null;

  /** Imports a block; null if it changes nothing. */
  importBlock(header: RelayHeader): ActiveLeavesUpdate | null {
    if (this.leaf !== null && header.number <= this.leaf.number) return null;
    const deactivated = this.leaf === null ? [] : [this.leaf.hash];
    this.leaf = header;
    return { activated: header, deactivated };
  }

  isActiveLeaf(hash: Hash): boolean {
    return this.leaf?.hash === hash;
  }

  /** The current leaf (the best block imported), if any. */
  get bestLeaf(): RelayHeader | null {
    return this.leaf;
  }
}

/** `AllowedRelayParents` of one leaf. */
export interface AllowedRelayParents {
  readonly leafNumber: BlockNumber;
  /** Per para, the minimum relay-parent number allowed under the leaf. */
  readonly minimumRelayParents: ReadonlyMap<ParaId, BlockNumber>;
  /** The leaf and its ancestors, newest first, down to the lowest minimum. */
  readonly contiguous: readonly Hash[];
}

export class ImplicitView {
  private readonly leaves = new Map<Hash, AllowedRelayParents>();

  constructor(private readonly headerOf: (hash: Hash) => RelayHeader | null) {}

  /**
   * `activate_leaf`: records the leaf's allowed relay parents, given the minimum relay parents
   * prospective-parachains reports for it. Returns the leaf's allowed relay parents (all paras).
   */
  activateLeaf(
    leaf: RelayHeader,
    minimumRelayParents: ReadonlyMap<ParaId, BlockNumber>,
  ): readonly Hash[] {
    const existing = this.leaves.get(leaf.hash);
    if (existing !== undefined) return existing.contiguous;
    let minMin = leaf.number;
    for (const n of minimumRelayParents.values()) minMin = Math.min(minMin, n);
    const contiguous: Hash[] = [leaf.hash];
    let current = leaf;
    while (current.number > minMin) {
      const parent = this.headerOf(current.parentHash);
      if (parent === null) break;
      contiguous.push(parent.hash);
      current = parent;
    }
    const allowed: AllowedRelayParents = {
      leafNumber: leaf.number,
      minimumRelayParents,
      contiguous,
    };
    this.leaves.set(leaf.hash, allowed);
    return contiguous;
  }

  deactivateLeaf(leaf: Hash): void {
    this.leaves.delete(leaf);
  }

  /** The active leaves, in activation order. */
  activeLeaves(): IterableIterator<Hash> {
    return this.leaves.keys();
  }

  isActiveLeaf(hash: Hash): boolean {
    return this.leaves.has(hash);
  }

  /**
   * `known_allowed_relay_parents_under(leaf, para)`: the relay parents allowed under `leaf`
   * (for `para`, or for any para when null), newest first; null if `leaf` is not active.
   */
  knownAllowedRelayParentsUnder(leaf: Hash, para: ParaId | null): readonly Hash[] | null {
    const allowed = this.leaves.get(leaf);
    if (allowed === undefined) return null;
    if (para === null) return allowed.contiguous;
    const paraMin = allowed.minimumRelayParents.get(para);
    if (paraMin === undefined || allowed.leafNumber < paraMin) return [];
    const len = Math.min(allowed.leafNumber - paraMin + 1, allowed.contiguous.length);
    return allowed.contiguous.slice(0, len);
  }

  /** Whether `relayParent` is allowed for `para` under at least one active leaf. */
  isAllowedFor(relayParent: Hash, para: ParaId): boolean {
    for (const leaf of this.leaves.keys()) {
      if (this.knownAllowedRelayParentsUnder(leaf, para)?.includes(relayParent)) return true;
    }
    return false;
  }

  /** `all_allowed_relay_parents`: every relay parent allowed under some active leaf. */
  allAllowedRelayParents(): Set<Hash> {
    const out = new Set<Hash>();
    for (const allowed of this.leaves.values()) for (const h of allowed.contiguous) out.add(h);
    return out;
  }
}
