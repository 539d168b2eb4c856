/**
 * The simulated relay chain: every block produced, by hash, with its header, post-state and
 * runtime API. There are no forks: the author of slot N always builds on block N - 1 (BABE's
 * secondary slots give every slot an author; with 6 s slots and sub-second latencies nobody
 * misses the parent). Actors read blocks through `RelayChainReader` once announced to them.
 */
import { assert } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import type { RelayHeader, RuntimeApi } from "../primitives/runtime-api.ts";

export interface StoredRelayBlock<S> {
  readonly header: RelayHeader;
  readonly state: S;
  readonly api: RuntimeApi;
}

export class RelayChainStore<S> {
  private readonly byHash = new Map<Hash, StoredRelayBlock<S>>();
  private readonly byNumber: StoredRelayBlock<S>[] = [];

  add(block: StoredRelayBlock<S>): void {
    assert(
      block.header.number === this.byNumber.length,
      () => `relay block ${block.header.number} out of order`,
    );
    this.byHash.set(block.header.hash, block);
    this.byNumber.push(block);
  }

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

  header(hash: Hash): RelayHeader | null {
    return this.byHash.get(hash)?.header ?? null;
  }

  api(hash: Hash): RuntimeApi | null {
    return this.byHash.get(hash)?.api ?? null;
  }

  /** The number of blocks, genesis included. */
  get length(): number {
    return this.byNumber.length;
  }
}
