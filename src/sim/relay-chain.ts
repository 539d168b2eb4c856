/**
 * The simulated relay chain: every block produced, by hash, with its header, post-state and
 * runtime API. There are no forks: the author of slot N always builds on block N - 1 (BABE's
 * secondary slots give every slot an author; with 6 s slots and sub-second latencies nobody
 * misses the parent). Actors read blocks through `RelayChainReader` once announced to them.
 *
 * Memory bound: the post-state and runtime API of a block older than `retainStates` blocks
 * (default 32; genesis is always kept) are dropped, its header stays. A relay state is ~1.5 MB at
 * 600 validators and 100 paras, and nothing reads state that old: relay parents are at most
 * `allowed_ancestry_len` behind the tip, candidates time out of availability within
 * `paras_availability_period` blocks, and collators look back `scheduling_lookahead` blocks.
 * Reading a dropped block's API answers null, as for an unknown block.
 */
import { assert } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import type { RelayHeader, RuntimeApi } from "../primitives/runtime-api.ts";

/** Blocks whose state and runtime API the store keeps by default (see the header). */
export const RETAIN_STATES_BLOCKS = 32;

export interface StoredRelayBlock<S> {
  readonly header: RelayHeader;
  readonly state: S;
  readonly api: RuntimeApi;
}

export class RelayChainStore<S> {
  private readonly byHash = new Map<Hash, StoredRelayBlock<S>>();
  private readonly byNumber: (StoredRelayBlock<S> | undefined)[] = [];
  private readonly headers = new Map<Hash, RelayHeader>();

  constructor(private readonly retainStates = RETAIN_STATES_BLOCKS) {
    assert(retainStates >= 1, () => `RelayChainStore: retainStates ${retainStates}`);
  }

  add(block: StoredRelayBlock<S>): void {
    assert(
      block.header.number === this.byNumber.length,
      () => `relay block ${block.header.number} out of order`,
    );
    this.byHash.set(block.header.hash, block);
    this.byNumber.push(block);
    this.headers.set(block.header.hash, block.header);
    const old = block.header.number - this.retainStates;
    if (old > 0) {
      const dropped = this.byNumber[old];
      if (dropped !== undefined) {
        this.byHash.delete(dropped.header.hash);
        this.byNumber[old] = undefined;
      }
    }
  }

  /** A block with its state, unless unknown or older than `retainStates` blocks. */
  get(hash: Hash): StoredRelayBlock<S> | undefined {
    return this.byHash.get(hash);
  }

  at(number: number): StoredRelayBlock<S> | undefined {
    return this.byNumber[number];
  }

  get tip(): StoredRelayBlock<S> {
    const tip = this.byNumber[this.byNumber.length - 1];
    assert(tip !== undefined, "relay chain has no genesis");
    return tip;
  }

  /** Any block's header, however old. */
  header(hash: Hash): RelayHeader | null {
    return this.headers.get(hash) ?? null;
  }

  api(hash: Hash): RuntimeApi | null {
    return this.byHash.get(hash)?.api ?? null;
  }

  /** The number of blocks, genesis included. */
  get length(): number {
    return this.byNumber.length;
  }
}
