/**
 * PERFORMANCE, NOT PROTOCOL: what the prospective-parachains subsystems of one simulated network
 * share, so that 600 validators do not build 600 equal copies of every fragment chain. Nothing
 * here changes what a validator computes; it only lets validators that would compute the same
 * value hold one object. The protocol is in `subsystem.ts`, `fragment-chain.ts`, `scope.ts` and
 * `candidate-storage.ts`.
 *
 * A `ProspectiveSharing` object is owned by whoever runs the nodes (the world hands one to every
 * validator of a network; a subsystem built alone gets its own) and holds:
 * - per relay block (`RuntimeApi` object): its ancestry, and each para's base chain (steps 2-4 of
 *   leaf activation up to `FragmentChain::init`, which depend only on the block; `init` consumes
 *   its storage, so the memo keeps the initialised chain, never the storage), and per set of
 *   bases the minimum relay parents;
 * - PVD objects per (relay-parent info, max PoV size, parent head), so the group members
 *   validating one collation get one object whose hash is computed once;
 * - seconded `CandidateEntry`s per receipt object (entries are immutable; a PVD object other than
 *   the one the entry was built with reuses it iff it has the same hash, which fixes everything
 *   the entry takes from the PVD);
 * - the chains' copy-on-write transitions (`SharedChains`): a chain a subsystem holds is never
 *   mutated; an operation that would change it (`populate_from_previous`, adding a seconded
 *   candidate, marking one backed) runs on a clone, memoised on the chain it started from, per
 *   operation. The result is a pure function of the starting chain and the operation.
 *
 * Invariant: every value is a pure function of the immutable objects it is keyed by, and the
 * validators sharing one object read the same relay headers (one block store per network).
 */
import type { Generation } from "../../../config/generation.ts";
import type { RelayChainBlockInfo } from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import { candidateHash as candidateHashOf, pvdHash } from "../../../primitives/candidate.ts";
import type {
  BlockNumber,
  CandidateHash,
  CommittedCandidateReceipt,
  HeadData,
  ParaId,
  PersistedValidationData,
} from "../../../primitives/codecs.ts";
import type { RuntimeApi } from "../../../primitives/runtime-api.ts";
import { CandidateEntry } from "./candidate-storage.ts";
import type { FragmentChain } from "./fragment-chain.ts";

/** The part of a leaf's chain for one para that does not depend on the validator. */
export interface LeafParaBase {
  readonly chain: FragmentChain;
}

/** A leaf's bases by para (null: the para has no chain at that leaf). */
export type LeafParaBases = Map<ParaId, LeafParaBase | null>;

type SecondedEntry = ReturnType<typeof CandidateEntry.newSeconded>;
type AddResult = ReturnType<FragmentChain["tryAddingSecondedCandidate"]>;

/** What became of a shared chain under each operation applied to it so far. */
interface Transitions {
  /** `populate_from_previous(prev)` on this (base) chain, per previous chain. */
  readonly populated: WeakMap<FragmentChain, FragmentChain>;
  /** `try_adding_seconded_candidate(entry)`, per entry: the chain after it, and the result. */
  readonly seconded: Map<CandidateEntry, { readonly next: FragmentChain; readonly r: AddResult }>;
  /** `candidate_backed(hash)`, per candidate hash. */
  readonly backed: Map<CandidateHash, FragmentChain>;
}

/** How many relay blocks behind the newest leaf a shared chain's transitions are kept. */
export const TRANSITIONS_KEPT_BLOCKS = 4;

/**
 * Copy-on-write transitions of the chains of one relay chain. Bounded in time: the transitions
 * of chains at relay parents more than `TRANSITIONS_KEPT_BLOCKS` below the newest leaf any
 * validator activated are dropped (the base chains are kept as long as their block's runtime
 * API, and would otherwise keep every version derived from them). A validator still holding such
 * a chain then builds its own next version: the same chain, only not shared.
 */
export class SharedChains {
  private readonly transitions = new WeakMap<FragmentChain, Transitions>();
  /** The chains that have transitions, by the number of their relay parent. */
  private readonly byNumber = new Map<BlockNumber, FragmentChain[]>();
  private newest = 0;

  noteLeaf(number: BlockNumber): void {
    if (number <= this.newest) return;
    this.newest = number;
    for (const [n, chains] of this.byNumber) {
      if (n >= number - TRANSITIONS_KEPT_BLOCKS) continue;
      for (const c of chains) this.transitions.delete(c);
      this.byNumber.delete(n);
    }
  }

  private of(chain: FragmentChain): Transitions {
    let t = this.transitions.get(chain);
    if (t === undefined) {
      t = { populated: new WeakMap(), seconded: new Map(), backed: new Map() };
      this.transitions.set(chain, t);
      const n = chain.scope().relayParent.number;
      const list = this.byNumber.get(n);
      if (list === undefined) this.byNumber.set(n, [chain]);
      else list.push(chain);
    }
    return t;
  }

  /** `base` populated from `prev`. */
  populatedFrom(base: FragmentChain, prev: FragmentChain): FragmentChain {
    // Written out, not `getOrInsertComputed`: ~60,000 calls a relay block at Polkadot size, where
    // a closure per call shows.
    const t = this.of(base);
    const known = t.populated.get(prev);
    if (known !== undefined) return known;
    const next = base.clone();
    next.populateFromPrevious(prev);
    t.populated.set(prev, next);
    return next;
  }

  /** `chain` after `try_adding_seconded_candidate(entry)`, and the result (unchanged on error). */
  withSeconded(
    chain: FragmentChain,
    entry: CandidateEntry,
  ): { readonly next: FragmentChain; readonly r: AddResult } {
    return getOrInsertComputed(this.of(chain).seconded, entry, () => {
      const next = chain.clone();
      const r = next.tryAddingSecondedCandidate(entry);
      return { next: r.ok ? next : chain, r };
    });
  }

  /** `chain` after `candidate_backed(hash)`. */
  withBacked(chain: FragmentChain, candidateHash: CandidateHash): FragmentChain {
    return getOrInsertComputed(this.of(chain).backed, candidateHash, () => {
      const next = chain.clone();
      next.candidateBacked(candidateHash);
      return next;
    });
  }
}

export class ProspectiveSharing {
  readonly chains = new SharedChains();
  private readonly ancestries = new WeakMap<
    RuntimeApi,
    Map<number, readonly RelayChainBlockInfo[]>
  >();
  private readonly entries = new WeakMap<
    CommittedCandidateReceipt,
    { readonly pvdHash: Hash; readonly entry: SecondedEntry }
  >();
  private readonly bases = new WeakMap<RuntimeApi, Map<string, LeafParaBases>>();
  private readonly minimums = new WeakMap<LeafParaBases, ReadonlyMap<ParaId, BlockNumber>>();
  private readonly pvds = new WeakMap<RelayChainBlockInfo, Map<string, PersistedValidationData>>();

  /** `fetch_ancestry(api, count)`, computed by `compute` once per block and count. */
  ancestry(
    api: RuntimeApi,
    count: number,
    compute: () => readonly RelayChainBlockInfo[],
  ): readonly RelayChainBlockInfo[] {
    let byCount = this.ancestries.get(api);
    const known = byCount?.get(count);
    if (known !== undefined) return known;
    const out = compute();
    if (byCount === undefined) {
      byCount = new Map();
      this.ancestries.set(api, byCount);
    }
    byCount.set(count, out);
    return out;
  }

  /** `CandidateEntry::new_seconded` (it hashes the PVD and both head data), once per receipt. */
  secondedEntry(receipt: CommittedCandidateReceipt, pvd: PersistedValidationData): SecondedEntry {
    const hash = pvdHash(pvd);
    const known = this.entries.get(receipt);
    if (known !== undefined && known.pvdHash === hash) return known.entry;
    const entry = CandidateEntry.newSeconded(candidateHashOf(receipt), receipt, pvd);
    this.entries.set(receipt, { pvdHash: hash, entry });
    return entry;
  }

  /** The bases of one leaf for one (generation, ancestry length), by para (filled by the caller). */
  leafParaBases(api: RuntimeApi, generation: Generation, ancestryLen: number): LeafParaBases {
    const byKey = getOrInsertComputed(this.bases, api, () => new Map());
    return getOrInsertComputed(byKey, `${generation}/${ancestryLen}`, () => new Map());
  }

  /**
   * The earliest relay parent of each para's chain at a leaf. A chain keeps the scope of the base
   * it started from, so the answer depends only on the leaf's bases.
   */
  minimumRelayParents(
    bases: LeafParaBases,
    chains: ReadonlyMap<ParaId, FragmentChain>,
  ): ReadonlyMap<ParaId, BlockNumber> {
    return getOrInsertComputed(this.minimums, bases, () => {
      const m = new Map<ParaId, BlockNumber>();
      for (const [para, chain] of chains) m.set(para, chain.scope().earliestRelayParent().number);
      return m;
    });
  }

  /** One PVD object per (relay-parent info, max PoV size, parent head). */
  pvd(
    relayParentInfo: RelayChainBlockInfo,
    parentHead: HeadData,
    maxPovSize: number,
  ): PersistedValidationData {
    const byHead = getOrInsertComputed(this.pvds, relayParentInfo, () => new Map());
    return getOrInsertComputed(byHead, `${maxPovSize}/${parentHead}`, () => ({
      parentHead,
      relayParentNumber: relayParentInfo.number,
      relayParentStorageRoot: relayParentInfo.storageRoot,
      maxPovSize,
    }));
  }
}
