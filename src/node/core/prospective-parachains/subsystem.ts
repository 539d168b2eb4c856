/**
 * The prospective-parachains subsystem: one fragment chain per (relay block in the implicit
 * view, scheduled para), built when a leaf is activated and fed by candidate backing. The G2 code
 * with the two rules the current generation changed, chosen by `generation` (SEMANTICS.md §7):
 *  - C1 the chain's length: `max_candidate_depth` (2024) or the para's distinct cores in the
 *    leaf's claim queue, pending candidates on top (current, #7254: `max_backable_chain_len`);
 *  - C2 the ancestry: `allowed_ancestry_len` (2024) or `scheduling_lookahead - 1` (current).
 * Current = polkadot-sdk stable2603 (prdoc/stable2603/FULL_CHANGELOG.md at 6a9e5123c9ce); its
 * lib.rs was read in the index's newest stored version (which also carries the V3 scheduling-
 * parent split of #10650/#10472, gated by the `CandidateReceiptV3` node feature and not modelled).
 *
 * Leaf activation (SEMANTICS 1.3):
 *  1. scheduled paras = every para of the leaf's claim queue (any depth, any core);
 *  2. ancestry = up to `allowed_ancestry_len` (current: `scheduling_lookahead - 1`) ancestors
 *     whose session-for-child equals the leaf's;
 *  3. per para: `para_backing_state` -> base constraints and the pending-availability chain, the
 *     latter pre-processed into (receipt, PVD) with chained parent heads (stop at the first whose
 *     relay-parent header is unknown) and added as Backed (stop at the first error other than
 *     `CandidateAlreadyKnown`);
 *  4. `Scope::with_ancestors(leaf, constraints, pending, limit, ancestry)` (C1's limit; an
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
 * Sharing between validators (performance, no behaviour change) lives in `sharing.ts`: the
 * subsystem asks its `ProspectiveSharing` object for what depends only on the relay block (the
 * ancestry, each para's base chain, the minimum relay parents, PVD objects, seconded entries)
 * and applies every change to a chain through it (copy-on-write transitions).
 *
 * Ref: polkadot/node/core/prospective-parachains/src/lib.rs (G2: handle_active_leaves_update,
 *      preprocess_candidates_pending_availability, handle_introduce_seconded_candidate,
 *      handle_candidate_backed, answer_get_backable_candidates,
 *      answer_hypothetical_membership_request, answer_minimum_relay_parents_request,
 *      answer_prospective_validation_data_request, fetch_upcoming_paras, fetch_ancestry).
 */

import type { ActorLog, RelayChainReader } from "../../../actors/env.ts";
import type { Generation } from "../../../config/generation.ts";
import {
  type Constraints,
  type HypotheticalCandidate,
  hypotheticalAsPotential,
  type RelayChainBlockInfo,
} from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { getOrInsertComputed } from "../../../lib/memo.ts";
import { candidateHash as candidateHashOf } from "../../../primitives/candidate.ts";
import type {
  BlockNumber,
  CandidateHash,
  CommittedCandidateReceipt,
  ParaId,
  PersistedValidationData,
} from "../../../primitives/codecs.ts";
import type { RuntimeApi } from "../../../primitives/runtime-api.ts";
import type {
  BackableCandidate,
  ParentHeadData,
  ProspectiveParachainsMessage,
} from "../../subsystem-types.ts";
import type { BlockContext, BlockContexts } from "../../util/block-context.ts";
import { CandidateStorage } from "./candidate-storage.ts";
import { FragmentChain } from "./fragment-chain.ts";
import { type PendingAvailability, Scope } from "./scope.ts";
import type { LeafParaBase, LeafParaBases, ProspectiveSharing, SharedChains } from "./sharing.ts";

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
  /** `answer_minimum_relay_parents_request` per active leaf (shared, see `sharing.ts`). */
  private readonly minimumRelayParents = new Map<Hash, ReadonlyMap<ParaId, BlockNumber>>();
  private readonly activeLeavesSet = new Set<Hash>();
  /** Per active leaf: the leaf and its allowed ancestry (this subsystem's implicit view). */
  private readonly leafAncestry = new Map<Hash, readonly Hash[]>();
  private readonly shared: SharedChains;

  constructor(
    private readonly relayChain: RelayChainReader,
    private readonly log: ActorLog,
    private readonly contexts: BlockContexts,
    /** What this subsystem shares with the other validators' (see `sharing.ts`). */
    private readonly sharing: ProspectiveSharing,
    /** Whose rules decide the chain length and the ancestry (SEMANTICS.md §7 C1, C2). */
    private readonly generation: Generation,
  ) {
    this.shared = sharing.chains;
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
    for (const relayParent of [...this.perRelayParent.keys()]) {
      if (remaining.has(relayParent)) continue;
      this.perRelayParent.delete(relayParent);
      this.minimumRelayParents.delete(relayParent);
    }
  }

  private activateLeaf(hash: Hash): void {
    if (this.activeLeavesSet.has(hash)) return;
    const api = this.relayChain.api(hash);
    if (api === null) {
      this.log.warn("Failed to get block info for newly activated leaf block.", { hash });
      return;
    }
    const ctx = this.contexts.of(api);
    this.shared.noteLeaf(api.header.number);
    const ancestry = this.fetchAncestry(api, this.allowedAncestryLen(ctx));
    const prevChains =
      ancestry[0] === undefined ? undefined : this.perRelayParent.get(ancestry[0].hash);

    const chains = new Map<ParaId, FragmentChain>();
    const bases = this.sharing.leafParaBases(api, this.generation, ancestry.length);
    for (const para of ctx.scheduledParas) {
      const limit = this.chainLimit(ctx, para);
      const base = this.leafParaBase(bases, api, para, ancestry, limit);
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
    this.minimumRelayParents.set(hash, this.sharing.minimumRelayParents(bases, chains));
    this.activeLeavesSet.add(hash);
    this.leafAncestry.set(hash, [hash, ...ancestry.map((a) => a.hash)]);
  }

  /**
   * How many ancestors of a leaf candidates may use as relay parents (C2): 2024 the runtime's
   * `allowed_ancestry_len`; current `fetch_scheduling_lookahead(..).saturating_sub(1)`.
   */
  private allowedAncestryLen(ctx: BlockContext): number {
    return this.generation === "2024"
      ? ctx.asyncBackingParams.allowedAncestryLen
      : Math.max(ctx.schedulingLookahead - 1, 0);
  }

  /**
   * The fragment chain's length parameter at a leaf (C1, see `maxChainLength`): 2024
   * `max_candidate_depth`; current `max_backable_chain_len`, the para's distinct cores in the
   * leaf's claim queue.
   */
  private chainLimit(ctx: BlockContext, para: ParaId): number {
    return this.generation === "2024"
      ? ctx.asyncBackingParams.maxCandidateDepth
      : ctx.claimQueueCoresOf(para);
  }

  /** `fetch_ancestry`: up to `count` ancestors, newest first, in the leaf's session. */
  private fetchAncestry(api: RuntimeApi, count: number): readonly RelayChainBlockInfo[] {
    return this.sharing.ancestry(api, count, () => this.computeAncestry(api, count));
  }

  private computeAncestry(api: RuntimeApi, count: number): readonly RelayChainBlockInfo[] {
    const out: RelayChainBlockInfo[] = [];
    if (count > 0) {
      const requiredSession = this.contexts.of(api).sessionIndex;
      let parentHash = api.header.parentHash;
      let number = api.header.number;
      while (out.length < count && number > 0) {
        const header = this.relayChain.header(parentHash);
        const parentApi = this.relayChain.api(parentHash);
        if (header === null || parentApi === null) break;
        // Relay parents must be in the same session (the backing group comes from it).
        if (this.contexts.of(parentApi).sessionIndex !== requiredSession) break;
        out.push(blockInfo(header));
        parentHash = header.parentHash;
        number = header.number;
      }
    }
    return out;
  }

  /** Steps 3-4 up to `FragmentChain::init` for one para (memoised per block, see header). */
  private leafParaBase(
    bases: LeafParaBases,
    api: RuntimeApi,
    para: ParaId,
    ancestry: readonly RelayChainBlockInfo[],
    limit: number,
  ): LeafParaBase | null {
    return getOrInsertComputed(bases, para, () =>
      this.buildLeafParaBase(api, para, ancestry, limit),
    );
  }

  private buildLeafParaBase(
    api: RuntimeApi,
    para: ParaId,
    ancestry: readonly RelayChainBlockInfo[],
    limit: number,
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
      limit,
      ancestry,
      this.generation,
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
    const entry = this.sharing.secondedEntry(receipt, pvd);
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
    return this.sharing.pvd(relayParentInfo, headData, maxPovSize);
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
