/**
 * A collator's local parachain block tree (its database): every block it built or imported from
 * a peer's announcement, with the block's post-state, head data and what parent search reads.
 * It implements parent search's `ParaBackend`.
 *
 * Invariants:
 * - A block is inserted only after its parent (import order) and only once; the genesis block
 *   is the root. Children are listed in insertion order (the backend's stored order).
 * - Entries are immutable; the states are shared with the para's `ParaStateStore`.
 * - Blocks below the oldest one any chain may still build on are forgotten (`prune`): the tree
 *   holds a window of the para's chain, not all of it.
 *
 * Ref: sc_client_api::Backend / HeaderBackend as cumulus' parent search uses them
 *      (`header`, `children`).
 */
import { assert } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import type { ParaBlock, ParaHeader } from "../parachain/block.ts";
import type { ParaGenesis } from "../parachain/genesis.ts";
import type { ExecutedBlock, ParaState } from "../parachain/runtime.ts";
import type { HeadData } from "../primitives/codecs.ts";
import type { ParaBackend, ParaBlockHeader } from "./parent-search.ts";

export interface TreeEntry {
  readonly hash: Hash;
  readonly header: ParaHeader;
  readonly headData: HeadData;
  readonly state: ParaState;
  /** Null for the genesis block. */
  readonly block: ParaBlock | null;
  /** The first pool transaction this chain has not considered yet. */
  readonly poolCursor: number;
  /** The header as parent search reads it. */
  readonly searchHeader: ParaBlockHeader;
}

function searchHeader(hash: Hash, h: ParaHeader): ParaBlockHeader {
  return {
    hash,
    number: h.number,
    parentHash: h.parentHash,
    relayParent: h.digest.relayParent,
    relayParentStorageRoot: h.digest.relayParentStorageRoot,
  };
}

export class ParaBlockTree implements ParaBackend {
  private readonly entries = new Map<Hash, TreeEntry>();
  private readonly kids = new Map<Hash, Hash[]>();
  private bestEntry: TreeEntry;
  readonly genesisHash: Hash;

  constructor(genesis: ParaGenesis) {
    this.genesisHash = genesis.headHash;
    this.bestEntry = {
      hash: genesis.headHash,
      header: genesis.header,
      headData: genesis.headData,
      state: genesis.state,
      block: null,
      poolCursor: 0,
      searchHeader: searchHeader(genesis.headHash, genesis.header),
    };
    this.entries.set(genesis.headHash, this.bestEntry);
  }

  /**
   * The best block: the highest number, the first seen at that number (Substrate's best chain
   * for a para that never reorgs its own blocks away). Its `:code` is the runtime the node uses for
   * what it asks the runtime outside building (Aura's slot duration).
   */
  get best(): TreeEntry {
    return this.bestEntry;
  }

  get size(): number {
    return this.entries.size;
  }

  has(hash: Hash): boolean {
    return this.entries.has(hash);
  }

  entry(hash: Hash): TreeEntry | null {
    return this.entries.get(hash) ?? null;
  }

  header(hash: Hash): ParaBlockHeader | null {
    return this.entries.get(hash)?.searchHeader ?? null;
  }

  children(hash: Hash): readonly Hash[] {
    return this.kids.get(hash) ?? [];
  }

  /**
   * Forget the blocks below number `number` (a long run's memory): no chain builds on them any
   * more (the world's pruning, `src/sim/para-pruning.ts`, says from where). The best block is at
   * or above it, so it stays; a block whose parent was forgotten would wait as an orphan.
   */
  prune(number: number): void {
    for (const [hash, e] of this.entries) {
      if (e.header.number >= number) continue;
      this.entries.delete(hash);
      this.kids.delete(hash);
    }
  }

  /** Insert an executed block (its parent must be known); returns the entry (existing or new). */
  insert(block: ParaBlock, executed: ExecutedBlock): TreeEntry {
    const known = this.entries.get(executed.headHash);
    if (known !== undefined) return known;
    const parent = block.header.parentHash;
    assert(this.entries.has(parent), () => `para block tree: unknown parent ${parent}`);
    const entry: TreeEntry = {
      hash: executed.headHash,
      header: executed.header,
      headData: executed.headData,
      state: executed.state,
      block,
      poolCursor: block.poolCursor,
      searchHeader: searchHeader(executed.headHash, executed.header),
    };
    this.entries.set(entry.hash, entry);
    if (entry.header.number > this.bestEntry.header.number) this.bestEntry = entry;
    const siblings = this.kids.get(parent);
    if (siblings === undefined) this.kids.set(parent, [entry.hash]);
    else siblings.push(entry.hash);
    return entry;
  }
}
