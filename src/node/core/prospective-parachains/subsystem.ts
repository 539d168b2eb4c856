/**
 * The prospective-parachains subsystem (G2): one fragment chain per (relay block in the implicit
 * view, scheduled para), built when a leaf is activated and fed by candidate backing.
 *
 * Leaf activation (SEMANTICS 1.3):
 *  1. scheduled paras = every para of the leaf's claim queue (any depth, any core);
 *  2. ancestry = up to `allowed_ancestry_len` ancestors whose session-for-child equals the leaf's;
 *  3. per para: `para_backing_state` -> base constraints and the pending-availability chain, the
 *     latter pre-processed into (receipt, PVD) with chained parent heads (stop at the first whose
 *     relay-parent header is unknown) and added as Backed (stop at the first error other than
 *     `CandidateAlreadyKnown`);
 *  4. `Scope::with_ancestors(leaf, constraints, pending, max_candidate_depth, ancestry)` (an
 *     ordering error skips the para), `FragmentChain::init`, then `populate_from_previous` with
 *     the parent leaf's chain of the para when it exists;
 *  5. the leaf and its ancestry join the implicit view; chains of relay blocks that left it are
 *     dropped.
 *
 * Messages: `introduceSecondedCandidate` (every chain of the para at every relay parent in view,
 * true iff one accepted it or already knew it), `candidateBacked`, `getBackableCandidates` (active
 * leaves only), `getHypotheticalMembership`, `getMinimumRelayParents`,
 * `getProspectiveValidationData`.
 *
 * Sharing (performance, no behaviour change): a seconded candidate's `CandidateEntry` is built once
 * per receipt object and shared (entries are immutable); steps 2-4 up to `FragmentChain::init`
 * depend only on the relay block, so their result (the scope and the chain of pending candidates)
 * is memoised per `RuntimeApi` object and per para (`init` consumes its storage, so the memo keeps
 * the initialised chain, never the storage). The chains themselves are shared between validators
 * copy-on-write: a chain this subsystem holds is never mutated; an operation that would change it
 * (`populate_from_previous`, adding a seconded candidate, marking one backed) runs on a clone, and
 * the resulting chain is memoised on the chain it started from, per operation (see `transitions`).
 * The result is a pure function of the starting chain and the operation, so the validators that
 * hold the same chain and apply the same operation share one result instead of building 600
 * equal copies. This assumes, as the simulator guarantees, that every validator reads the
 * same relay headers (one shared block store).
 *
 * Ref: polkadot/node/core/prospective-parachains/src/lib.rs (G2: handle_active_leaves_update,
 *      preprocess_candidates_pending_availability, handle_introduce_seconded_candidate,
 *      handle_candidate_backed, answer_get_backable_candidates,
 *      answer_hypothetical_membership_request, answer_minimum_relay_parents_request,
 *      answer_prospective_validation_data_request, fetch_upcoming_paras, fetch_ancestry).
 */

import type { ActorLog, RelayChainReader } from "../../../actors/env.ts";
import {
  type Constraints,
  type HypotheticalCandidate,
  hypotheticalAsPotential,
  type RelayChainBlockInfo,
} from "../../../emulator/inclusion-emulator.ts";
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
import type {
  BackableCandidate,
  ParentHeadData,
  ProspectiveParachainsMessage,
} from "../../subsystem-types.ts";
import { BlockContext } from "../../util/block-context.ts";
import { CandidateEntry, CandidateStorage } from "./candidate-storage.ts";
import { FragmentChain } from "./fragment-chain.ts";
import { type PendingAvailability, Scope } from "./scope.ts";

/** The part of a leaf's chain for one para that does not depend on the validator. */
interface LeafParaBase {
  readonly chain: FragmentChain;
}

const ancestryMemo = new WeakMap<RuntimeApi, Map<number, readonly RelayChainBlockInfo[]>>();
/**
 * Seconded entries per receipt object, shared by every validator (entries are immutable). A PVD
 * object other than the one the entry was built with reuses the entry iff it has the same hash:
 * the entry's content depends on the PVD only through that hash check and the parent head, and
 * the PVD hash fixes both. So several seconders of one collation, each with its own PVD object,
 * get one entry, and the fragment-chain transitions keyed by entry (below) are shared too.
 */
const entryMemo = new WeakMap<
  CommittedCandidateReceipt,
  {
    readonly pvdHash: Hash;
    readonly entry: ReturnType<typeof CandidateEntry.newSeconded>;
  }
>();

/** `CandidateEntry::new_seconded`, memoised (it hashes the PVD and both head data). */
function secondedEntry(
  receipt: CommittedCandidateReceipt,
  pvd: PersistedValidationData,
): ReturnType<typeof CandidateEntry.newSeconded> {
  const hash = pvdHash(pvd);
  const memo = entryMemo.get(receipt);
  if (memo !== undefined && memo.pvdHash === hash) return memo.entry;
  const entry = CandidateEntry.newSeconded(candidateHashOf(receipt), receipt, pvd);
  entryMemo.set(receipt, { pvdHash: hash, entry });
  return entry;
}
const baseMemo = new WeakMap<RuntimeApi, Map<string, Map<ParaId, LeafParaBase | null>>>();

/** The memoised bases of one leaf for one (depth, ancestry length), by para. */
function leafParaBases(
  api: RuntimeApi,
  maxDepth: number,
  ancestryLen: number,
): Map<ParaId, LeafParaBase | null> {
  const byKey = getOrInsertComputed(baseMemo, api, () => new Map());
  return getOrInsertComputed(byKey, `${maxDepth}/${ancestryLen}`, () => new Map());
}

const minimumMemo = new WeakMap<
  Map<ParaId, LeafParaBase | null>,
  ReadonlyMap<ParaId, BlockNumber>
>();

/**
 * The earliest relay parent of each para's chain at a leaf. A chain keeps the scope of the base it
 * started from, so the answer depends only on the leaf's bases: computed once per leaf for every
 * validator.
 */
function minimumRelayParentsOf(
  bases: Map<ParaId, LeafParaBase | null>,
  chains: ReadonlyMap<ParaId, FragmentChain>,
): ReadonlyMap<ParaId, BlockNumber> {
  return getOrInsertComputed(minimumMemo, bases, () => {
    const m = new Map<ParaId, BlockNumber>();
    for (const [para, chain] of chains) m.set(para, chain.scope().earliestRelayParent().number);
    return m;
  });
}

/**
 * PVD objects by relay-parent info (shared by the validators' scopes), max PoV size and parent
 * head: the group members validating one collation get one object, whose hash is then computed
 * once (`pvdHash` memoises per object).
 */
const pvdMemo = new WeakMap<RelayChainBlockInfo, Map<string, PersistedValidationData>>();

function sharedPvd(
  relayParentInfo: RelayChainBlockInfo,
  parentHead: HeadData,
  maxPovSize: number,
): PersistedValidationData {
  const byHead = getOrInsertComputed(pvdMemo, relayParentInfo, () => new Map());
  return getOrInsertComputed(byHead, `${maxPovSize}/${parentHead}`, () => ({
    parentHead,
    relayParentNumber: relayParentInfo.number,
    relayParentStorageRoot: relayParentInfo.storageRoot,
    maxPovSize,
  }));
}

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
 * Copy-on-write transitions of the chains of one relay chain (one simulated network; see the
 * header). Bounded in time: the transitions of chains at relay parents more than
 * `TRANSITIONS_KEPT_BLOCKS` below the newest leaf any validator activated are dropped (the base
 * chains are kept as long as their block's runtime API, and would otherwise keep every version
 * derived from them). A validator still holding such a chain then builds its own next version:
 * the same chain, only not shared.
 */
class SharedChains {
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

/** One `SharedChains` per relay chain (the simulator hands every validator the same reader). */
const sharedChains = new WeakMap<RelayChainReader, SharedChains>();

function sharedChainsOf(relayChain: RelayChainReader): SharedChains {
  return getOrInsertComputed(sharedChains, relayChain, () => new SharedChains());
}

function blockInfo(header: {
  readonly hash: Hash;
  readonly number: BlockNumber;
  readonly stateRoot: Hash;
}): RelayChainBlockInfo {
  return { hash: header.hash, number: header.number, storageRoot: header.stateRoot };
}

function candidatePara(c: HypotheticalCandidate): ParaId {
  return c.kind === "Complete" ? c.receipt.descriptor.paraId : c.candidatePara;
}

export class ProspectiveParachains implements ProspectiveParachainsMessage {
  /** Fragment chains per relay parent in the implicit view, per para. */
  private readonly perRelayParent = new Map<Hash, Map<ParaId, FragmentChain>>();
  /** `answer_minimum_relay_parents_request` per active leaf (shared, see `minimumRelayParentsOf`). */
  private readonly minimumRelayParents = new Map<Hash, ReadonlyMap<ParaId, BlockNumber>>();
  private readonly activeLeavesSet = new Set<Hash>();
  /** Per active leaf: the leaf and its allowed ancestry (this subsystem's implicit view). */
  private readonly leafAncestry = new Map<Hash, readonly Hash[]>();
  private readonly shared: SharedChains;

  constructor(
    private readonly relayChain: RelayChainReader,
    private readonly log: ActorLog,
  ) {
    this.shared = sharedChainsOf(relayChain);
  }

  // ---------------------------------------------------------------------------------------------
  // Active leaves

  /** Handles an `ActiveLeavesUpdate`: activates `activated`, deactivates the others, prunes. */
  activeLeavesUpdate(activated: Hash | null, deactivated: readonly Hash[]): void {
    if (activated !== null && !deactivated.includes(activated)) this.activateLeaf(activated);
    for (const leaf of deactivated) {
      this.activeLeavesSet.delete(leaf);
      this.leafAncestry.delete(leaf);
    }
    const remaining = new Set<Hash>();
    for (const hashes of this.leafAncestry.values()) for (const h of hashes) remaining.add(h);
    for (const rp of [...this.perRelayParent.keys()]) {
      if (remaining.has(rp)) continue;
      this.perRelayParent.delete(rp);
      this.minimumRelayParents.delete(rp);
    }
  }

  private activateLeaf(hash: Hash): void {
    if (this.activeLeavesSet.has(hash)) return;
    const api = this.relayChain.api(hash);
    if (api === null) {
      this.log.warn("Failed to get block info for newly activated leaf block.", { hash });
      return;
    }
    const ctx = BlockContext.of(api);
    this.shared.noteLeaf(api.header.number);
    const { maxCandidateDepth, allowedAncestryLen } = ctx.asyncBackingParams;
    const ancestry = this.fetchAncestry(api, allowedAncestryLen);
    const prevChains =
      ancestry[0] === undefined ? undefined : this.perRelayParent.get(ancestry[0].hash);

    const chains = new Map<ParaId, FragmentChain>();
    const bases = leafParaBases(api, maxCandidateDepth, ancestry.length);
    for (const para of ctx.scheduledParas) {
      const base = this.leafParaBase(bases, api, para, ancestry, maxCandidateDepth);
      if (base === null) continue;
      const prev = prevChains?.get(para);
      const chain = prev === undefined ? base.chain : this.shared.populatedFrom(base.chain, prev);
      chains.set(para, chain);
      if (this.log.enabled("trace")) {
        this.log.trace("Populated fragment chain", () => ({
          relayParent: hash,
          paraId: para,
          bestChain: chain.bestChainVec(),
          unconnected: [...chain.unconnected()].map((c) => c.candidateHash),
        }));
      }
    }
    this.perRelayParent.set(hash, chains);
    this.minimumRelayParents.set(hash, minimumRelayParentsOf(bases, chains));
    this.activeLeavesSet.add(hash);
    this.leafAncestry.set(hash, [hash, ...ancestry.map((a) => a.hash)]);
  }

  /** `fetch_ancestry`: up to `count` ancestors, newest first, in the leaf's session. */
  private fetchAncestry(api: RuntimeApi, count: number): readonly RelayChainBlockInfo[] {
    let byCount = ancestryMemo.get(api);
    const memo = byCount?.get(count);
    if (memo !== undefined) return memo;
    const out: RelayChainBlockInfo[] = [];
    if (count > 0) {
      const requiredSession = BlockContext.of(api).sessionIndex;
      let parentHash = api.header.parentHash;
      let number = api.header.number;
      while (out.length < count && number > 0) {
        const header = this.relayChain.header(parentHash);
        const parentApi = this.relayChain.api(parentHash);
        if (header === null || parentApi === null) break;
        // Relay parents must be in the same session (the backing group comes from it).
        if (BlockContext.of(parentApi).sessionIndex !== requiredSession) break;
        out.push(blockInfo(header));
        parentHash = header.parentHash;
        number = header.number;
      }
    }
    if (byCount === undefined) {
      byCount = new Map();
      ancestryMemo.set(api, byCount);
    }
    byCount.set(count, out);
    return out;
  }

  /** Steps 3-4 up to `FragmentChain::init` for one para (memoised per block, see header). */
  private leafParaBase(
    bases: Map<ParaId, LeafParaBase | null>,
    api: RuntimeApi,
    para: ParaId,
    ancestry: readonly RelayChainBlockInfo[],
    maxDepth: number,
  ): LeafParaBase | null {
    return getOrInsertComputed(bases, para, () =>
      this.buildLeafParaBase(api, para, ancestry, maxDepth),
    );
  }

  private buildLeafParaBase(
    api: RuntimeApi,
    para: ParaId,
    ancestry: readonly RelayChainBlockInfo[],
    maxDepth: number,
  ): LeafParaBase | null {
    const leaf = api.header;
    const backingState = api.paraBackingState(para);
    if (backingState === null) {
      this.log.debug("Failed to get inclusion backing state.", {
        paraId: para,
        relayParent: leaf.hash,
      });
      return null;
    }
    const constraints: Constraints = backingState.constraints;

    // `preprocess_candidates_pending_availability`.
    const storage = new CandidateStorage();
    const compactPending: PendingAvailability[] = [];
    let requiredParent = constraints.requiredParent;
    for (const [i, pending] of backingState.pendingAvailability.entries()) {
      const rpHeader = this.relayChain.header(pending.descriptor.relayParent);
      if (rpHeader === null) {
        this.log.debug("Had to stop processing pending candidates early due to missing info.", {
          candidateHash: pending.candidateHash,
          paraId: para,
          index: i,
        });
        break;
      }
      const receipt: CommittedCandidateReceipt = {
        descriptor: pending.descriptor,
        commitments: pending.commitments,
      };
      const pvd: PersistedValidationData = {
        parentHead: requiredParent,
        relayParentNumber: rpHeader.number,
        relayParentStorageRoot: rpHeader.stateRoot,
        maxPovSize: pending.maxPovSize,
      };
      requiredParent = pending.commitments.headData;
      const added = storage.addPendingAvailabilityCandidate(pending.candidateHash, receipt, pvd);
      if (!added.ok && added.error.code !== "CandidateAlreadyKnown") {
        this.log.warn("Scraped invalid candidate pending availability", {
          candidateHash: pending.candidateHash,
          paraId: para,
          error: added.error.code,
        });
        break;
      }
      compactPending.push({
        candidateHash: pending.candidateHash,
        relayParent: blockInfo(rpHeader),
      });
    }

    const scope = Scope.withAncestors(
      blockInfo(leaf),
      constraints,
      compactPending,
      maxDepth,
      ancestry,
    );
    if (!scope.ok) {
      this.log.warn("Relay chain ancestors have wrong order", {
        paraId: para,
        leaf: leaf.hash,
        number: scope.error.number,
        prev: scope.error.prev,
      });
      return null;
    }
    const pendingCount = storage.size;
    const chain = FragmentChain.init(scope.value, storage);
    if (chain.bestChainLen() < pendingCount) {
      this.log.warn("Not all pending availability candidates could be introduced.", {
        relayParent: leaf.hash,
        paraId: para,
        actual: chain.bestChainLen(),
        expected: pendingCount,
      });
    }
    return { chain };
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  /**
   * `IntroduceSecondedCandidate`: adds the candidate to every chain of its para (active leaves and
   * the relay parents below them, so that upcoming children see it). True iff at least one chain
   * accepted it or already knew it.
   */
  introduceSecondedCandidate(
    para: ParaId,
    receipt: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
  ): boolean {
    const candidateHash = candidateHashOf(receipt);
    const entry = secondedEntry(receipt, pvd);
    if (!entry.ok) {
      this.log.debug("Cannot add seconded candidate", {
        paraId: para,
        candidateHash,
        error: entry.error.code,
      });
      return false;
    }
    let added = false;
    let paraScheduled = false;
    for (const [relayParent, chains] of this.perRelayParent) {
      const chain = chains.get(para);
      if (chain === undefined) continue;
      paraScheduled = true;
      const { next, r } = this.shared.withSeconded(chain, entry.value);
      if (next !== chain) chains.set(para, next);
      if (r.ok || r.error.code === "CandidateAlreadyKnown") {
        added = true;
      } else if (this.log.enabled("debug")) {
        this.log.debug("Cannot introduce seconded candidate", {
          paraId: para,
          relayParent,
          candidateHash,
          error: r.error.code,
        });
      }
    }
    if (!paraScheduled) {
      this.log.debug("Received seconded candidate for inactive para", {
        paraId: para,
        candidateHash,
      });
    }
    return added;
  }

  /** `CandidateBacked`: marks the candidate backed in every chain of its para. */
  candidateBacked(para: ParaId, candidateHash: CandidateHash): void {
    let foundPara = false;
    let foundCandidate = false;
    for (const chains of this.perRelayParent.values()) {
      const chain = chains.get(para);
      if (chain === undefined) continue;
      foundPara = true;
      if (chain.isCandidateBacked(candidateHash)) {
        foundCandidate = true;
      } else if (chain.containsUnconnectedCandidate(candidateHash)) {
        foundCandidate = true;
        chains.set(para, this.shared.withBacked(chain, candidateHash));
      }
    }
    if (!foundPara) {
      this.log.debug("Received instruction to back a candidate for unscheduled para", {
        paraId: para,
        candidateHash,
      });
    } else if (!foundCandidate) {
      this.log.debug("Received instruction to back unknown candidate", {
        paraId: para,
        candidateHash,
      });
    }
  }

  /**
   * `GetBackableCandidates`: up to `count` candidates of `para` backable on top of `ancestors` in
   * the chain of the active leaf `relayParent`, with their relay parents (empty otherwise).
   */
  getBackableCandidates(
    relayParent: Hash,
    para: ParaId,
    count: number,
    ancestors: ReadonlySet<CandidateHash>,
  ): BackableCandidate[] {
    if (!this.activeLeavesSet.has(relayParent)) return [];
    const chain = this.perRelayParent.get(relayParent)?.get(para);
    if (chain === undefined) return [];
    return chain.findBackableChain(ancestors, count);
  }

  /**
   * `GetHypotheticalMembership`: per candidate, the active leaves (only `leaf` if given) whose
   * chain for the candidate's para could take it (or already has it).
   */
  getHypotheticalMembership(
    candidates: readonly HypotheticalCandidate[],
    leaf: Hash | null,
  ): Hash[][] {
    const out: Hash[][] = candidates.map(() => []);
    for (const activeLeaf of this.activeLeavesSet) {
      if (leaf !== null && activeLeaf !== leaf) continue;
      const chains = this.perRelayParent.get(activeLeaf);
      if (chains === undefined) continue;
      candidates.forEach((candidate, i) => {
        const chain = chains.get(candidatePara(candidate));
        if (chain === undefined) return;
        const r = chain.canAddCandidateAsPotential(hypotheticalAsPotential(candidate));
        if (r.ok || r.error.code === "CandidateAlreadyKnown") out[i]!.push(activeLeaf);
        else if (this.log.enabled("debug")) {
          this.log.debug("Candidate is not a hypothetical member", {
            paraId: candidatePara(candidate),
            leaf: activeLeaf,
            candidateHash: candidate.candidateHash,
            error: r.error.code,
          });
        }
      });
    }
    return out;
  }

  /** `GetMinimumRelayParents`: per para, its earliest allowed relay-parent number at the leaf. */
  getMinimumRelayParents(relayParent: Hash): ReadonlyMap<ParaId, BlockNumber> {
    if (!this.activeLeavesSet.has(relayParent)) return new Map();
    return this.minimumRelayParents.get(relayParent) ?? new Map();
  }

  /**
   * `GetProspectiveValidationData`: the PVD of a candidate of `para` with relay parent
   * `candidateRelayParent` building on `parentHead`, assembled from the active leaves' chains;
   * null unless the relay parent, the parent head and the max PoV size are all found.
   */
  getProspectiveValidationData(
    para: ParaId,
    candidateRelayParent: Hash,
    parentHead: ParentHeadData,
  ): PersistedValidationData | null {
    let headData = parentHead.headData ?? undefined;
    let relayParentInfo: RelayChainBlockInfo | undefined;
    let maxPovSize: number | undefined;
    for (const leaf of this.activeLeavesSet) {
      const chain = this.perRelayParent.get(leaf)?.get(para);
      if (chain === undefined) continue;
      if (headData !== undefined && relayParentInfo !== undefined && maxPovSize !== undefined) {
        break;
      }
      const scope = chain.scope();
      relayParentInfo ??= scope.ancestor(candidateRelayParent);
      headData ??= chain.getHeadDataByHash(parentHead.hash);
      if (maxPovSize === undefined && scope.ancestor(candidateRelayParent) !== undefined) {
        maxPovSize = scope.baseConstraints.maxPovSize;
      }
    }
    if (headData === undefined || relayParentInfo === undefined || maxPovSize === undefined) {
      return null;
    }
    return sharedPvd(relayParentInfo, headData, maxPovSize);
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection (tests, checkers)

  isActiveLeaf(hash: Hash): boolean {
    return this.activeLeavesSet.has(hash);
  }

  activeLeaves(): ReadonlySet<Hash> {
    return this.activeLeavesSet;
  }

  /** The relay parents that have fragment chains (the implicit view). */
  relayParents(): IterableIterator<Hash> {
    return this.perRelayParent.keys();
  }

  /**
   * The fragment chain of `para` at `relayParent` as it is now (read only: do not mutate). Chains
   * are copy-on-write (see the header): a later update replaces the chain, so ask again after one.
   */
  fragmentChain(relayParent: Hash, para: ParaId): FragmentChain | undefined {
    return this.perRelayParent.get(relayParent)?.get(para);
  }
}
