/**
 * The fragment chain (generation G2, `init` + `populate_from_previous`): for one para at one
 * relay parent, the best chain of backed candidates (first those pending availability, then
 * backable ones, each building on the previous by head-data hash) and an unconnected storage of
 * seconded or backed candidates that still have potential to join it later.
 *
 * Invariants:
 * - The best chain holds at most `scope.maxChainLength` nodes, pending-availability ones included
 *   (2024: `max_candidate_depth + 1`; current: pending + the para's claim-queue cores, C1).
 * - Only Backed candidates enter the best chain; seconded ones wait in the unconnected storage.
 * - Relay-parent numbers never decrease along the best chain.
 * - Fork choice: a candidate pending availability always wins; otherwise the lower candidate hash
 *   (byte order, i.e. the order of the lowercase hex strings) wins.
 * - A candidate is never both in the best chain and in the unconnected storage.
 *
 * Departure from Rust: `BackedChain::revert_to_parent_hash` of the pinned code indexes `chain[0]`
 * inside its loop (fixed in G3 to `chain[index]`); this follows the intended semantics (SEMANTICS
 * 1.2.4): the nodes after the one outputting the given head are removed, with their indices.
 *
 * Ref: polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs (tests.rs at
 *      b0d7d52d77b5ec95201c541b7ae0a0cf839b5089)
 */
import {
  type ConstraintModifications,
  Constraints,
  Fragment,
  type FragmentValidityError,
  type HypotheticalOrConcreteCandidate,
  type ModificationError,
  ConstraintModifications as Mods,
  type RelayChainBlockInfo,
} from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import type { CandidateHash, HeadData } from "../../../primitives/codecs.ts";
import type { BackableCandidate } from "../../subsystem-types.ts";
import { CandidateEntry, type CandidateEntryError, CandidateStorage } from "./candidate-storage.ts";
import type { Scope } from "./scope.ts";

/** `fragment_chain::Error`. Variant names are Rust's; tuple fields are named as in FORMAT.md. */
export type FragmentChainError =
  | { readonly code: "CandidateAlreadyKnown" }
  | { readonly code: "ZeroLengthCycle" }
  | { readonly code: "Cycle" }
  | { readonly code: "MultiplePaths" }
  | { readonly code: "IntroduceBackedCandidate" }
  | {
      readonly code: "RelayParentPrecedesCandidatePendingAvailability";
      readonly relayParent: Hash;
      readonly other: Hash;
    }
  | { readonly code: "ForkWithCandidatePendingAvailability"; readonly candidate: CandidateHash }
  | { readonly code: "ForkChoiceRule"; readonly candidate: CandidateHash }
  | { readonly code: "ParentCandidateNotFound" }
  | { readonly code: "ComputeConstraints"; readonly inner: ModificationError }
  | { readonly code: "CheckAgainstConstraints"; readonly inner: FragmentValidityError }
  | { readonly code: "RelayParentMovedBackwards" }
  | { readonly code: "CandidateEntry"; readonly inner: CandidateEntryError }
  | { readonly code: "RelayParentNotInScope"; readonly relayParent: Hash; readonly other: Hash };

/**
 * `fork_selection_rule`: the order between two backed forks; the lower candidate hash wins.
 * Hashes are lowercase hex of equal length, so string order is byte order.
 */
export function forkSelectionRule(hash1: CandidateHash, hash2: CandidateHash): number {
  return hash1 < hash2 ? -1 : hash1 > hash2 ? 1 : 0;
}

/** A node of the best chain. */
export interface FragmentNode {
  readonly fragment: Fragment;
  readonly candidateHash: CandidateHash;
  /** All modifications from the first node of the chain up to and including this one. */
  readonly cumulativeModifications: ConstraintModifications;
  readonly parentHeadDataHash: Hash;
  readonly outputHeadDataHash: Hash;
}

export type { BackableCandidate };

function entryOfNode(node: FragmentNode): CandidateEntry {
  return CandidateEntry.fromParts(
    node.candidateHash,
    node.parentHeadDataHash,
    node.outputHeadDataHash,
    node.fragment.relayParent.hash,
    node.fragment.candidate,
    "Backed",
  );
}

/** `BackedChain`: the best chain and its indices. */
class BackedChain {
  constructor(
    readonly chain: FragmentNode[] = [],
    /** Parent head hash -> candidate, for the candidates of `chain` only. */
    readonly byParentHead: Map<Hash, CandidateHash> = new Map(),
    /** Output head hash -> candidate, for the candidates of `chain` only. */
    readonly byOutputHead: Map<Hash, CandidateHash> = new Map(),
    readonly candidates: Set<CandidateHash> = new Set(),
  ) {}

  clone(): BackedChain {
    return new BackedChain(
      [...this.chain],
      new Map(this.byParentHead),
      new Map(this.byOutputHead),
      new Set(this.candidates),
    );
  }

  push(node: FragmentNode): void {
    this.candidates.add(node.candidateHash);
    this.byParentHead.set(node.parentHeadDataHash, node.candidateHash);
    this.byOutputHead.set(node.outputHeadDataHash, node.candidateHash);
    this.chain.push(node);
  }

  clear(): FragmentNode[] {
    this.byParentHead.clear();
    this.byOutputHead.clear();
    this.candidates.clear();
    return this.chain.splice(0);
  }

  /** Removes and returns every node after the one outputting `parentHeadDataHash`. */
  revertToParentHash(parentHeadDataHash: Hash): FragmentNode[] {
    const index = this.chain.findIndex((n) => n.outputHeadDataHash === parentHeadDataHash);
    if (index === -1) return [];
    const removed = this.chain.splice(index + 1);
    for (const node of removed) {
      this.byParentHead.delete(node.parentHeadDataHash);
      this.byOutputHead.delete(node.outputHeadDataHash);
      this.candidates.delete(node.candidateHash);
    }
    return removed;
  }

  contains(hash: CandidateHash): boolean {
    return this.candidates.has(hash);
  }
}

export class FragmentChain {
  private constructor(
    /** The scope: the on-chain operating constraints all future candidates must meet. */
    private readonly scopeValue: Scope,
    /** The best chain of backable candidates (forks resolved by `forkSelectionRule`). */
    private readonly bestChain: BackedChain,
    /** Candidates not in the best chain that may join it (any shape, unknown parents). */
    private unconnectedStorage: CandidateStorage,
  ) {}

  /**
   * `FragmentChain::init`: an empty chain populated with the candidates pending availability,
   * which must chain from the latest included head. `candidatesPendingAvailability` is consumed
   * (candidates taken into the chain are removed from it).
   */
  static init(scope: Scope, candidatesPendingAvailability: CandidateStorage): FragmentChain {
    const chain = new FragmentChain(scope, new BackedChain(), new CandidateStorage());
    chain.populateChain(candidatesPendingAvailability);
    return chain;
  }

  /**
   * The older G2 entry point `FragmentChain::populate(scope, storage)`: an empty chain populated
   * from `storage` (consumed). Equal to `init(scope, empty)` followed by `populateFromPrevious` of
   * a chain with no best chain whose unconnected storage is `storage` (the Rust tests' helper
   * `populate_chain_from_previous_storage`).
   */
  static populate(scope: Scope, storage: CandidateStorage): FragmentChain {
    const chain = new FragmentChain(scope, new BackedChain(), new CandidateStorage());
    chain.populateChain(storage);
    chain.trimUneligibleForks(storage, undefined);
    chain.populateUnconnectedPotentialCandidates(storage);
    return chain;
  }

  /**
   * `populate_from_previous`: take the candidates of the chain at the previous relay parent (its
   * unconnected ones, and its best chain minus the candidates that were pending availability
   * there), extend this chain with them, trim the forks without potential, keep the rest as
   * unconnected.
   */
  populateFromPrevious(prev: FragmentChain): void {
    const prevStorage = prev.unconnectedStorage.clone();
    for (const node of prev.bestChain.chain) {
      // If they used to be pending availability, don't add them: if they still are, they were
      // given to `init`; if they were included, there is no point keeping them.
      if (prev.scopeValue.getPendingAvailability(node.candidateHash) === undefined) {
        prevStorage.addCandidateEntry(entryOfNode(node));
      }
    }
    this.populateChain(prevStorage);
    this.trimUneligibleForks(prevStorage, undefined);
    this.populateUnconnectedPotentialCandidates(prevStorage);
  }

  /** A copy (scope and entries shared, both immutable). */
  clone(): FragmentChain {
    return new FragmentChain(
      this.scopeValue,
      this.bestChain.clone(),
      this.unconnectedStorage.clone(),
    );
  }

  scope(): Scope {
    return this.scopeValue;
  }

  bestChainLen(): number {
    return this.bestChain.chain.length;
  }

  unconnectedLen(): number {
    return this.unconnectedStorage.size;
  }

  containsUnconnectedCandidate(candidate: CandidateHash): boolean {
    return this.unconnectedStorage.contains(candidate);
  }

  /** The best chain's candidate hashes, in order. */
  bestChainVec(): CandidateHash[] {
    return this.bestChain.chain.map((n) => n.candidateHash);
  }

  /** The best chain's nodes, in order (read only). */
  bestChainNodes(): readonly FragmentNode[] {
    return this.bestChain.chain;
  }

  /** The unconnected potential candidates (Rust: arbitrary order). */
  unconnected(): IterableIterator<CandidateEntry> {
    return this.unconnectedStorage.candidates();
  }

  /** Whether the candidate is in the best chain, or unconnected and Backed. */
  isCandidateBacked(hash: CandidateHash): boolean {
    return (
      this.bestChain.candidates.has(hash) || this.unconnectedStorage.get(hash)?.state === "Backed"
    );
  }

  /** `get_head_data_by_hash`: the base required parent, then the best chain, then unconnected. */
  getHeadDataByHash(headDataHash: Hash): HeadData | undefined {
    const scope = this.scopeValue;
    if (scope.requiredParentHash === headDataHash) return scope.baseConstraints.requiredParent;
    if (
      this.bestChain.byParentHead.has(headDataHash) ||
      this.bestChain.byOutputHead.has(headDataHash)
    ) {
      for (const node of this.bestChain.chain) {
        if (node.parentHeadDataHash === headDataHash) {
          return node.fragment.candidate.persistedValidationData.parentHead;
        }
        if (node.outputHeadDataHash === headDataHash) {
          return node.fragment.candidate.commitments.headData;
        }
      }
      return undefined;
    }
    return this.unconnectedStorage.headDataByHash(headDataHash);
  }

  /**
   * `find_backable_chain`: up to `count` candidates after the `ancestors` (those already pending
   * availability or being backed) that can be backed next, with their relay parents. Stops at a
   * candidate pending availability.
   */
  findBackableChain(ancestors: Iterable<CandidateHash>, count: number): BackableCandidate[] {
    if (count === 0) return [];
    const basePos = this.findAncestorPath(ancestors);
    const chain = this.bestChain.chain;
    const end = Math.min(basePos + count, chain.length);
    const res: BackableCandidate[] = [];
    for (let i = basePos; i < end; i++) {
      const node = chain[i]!;
      // Only candidates not yet pending availability; `ancestors` should contain those anyway.
      if (this.scopeValue.getPendingAvailability(node.candidateHash) !== undefined) break;
      res.push({ candidateHash: node.candidateHash, relayParent: node.fragment.relayParent.hash });
    }
    return res;
  }

  /**
   * `find_ancestor_path`: orders the ancestors into a path from the chain's root; returns the
   * index in the chain where the path stops (the first node not among the ancestors).
   */
  findAncestorPath(ancestors: Iterable<CandidateHash>): number {
    const chain = this.bestChain.chain;
    if (chain.length === 0) return 0;
    const set =
      ancestors instanceof Set ? (ancestors as ReadonlySet<CandidateHash>) : new Set(ancestors);
    for (const [index, node] of chain.entries()) {
      if (!set.has(node.candidateHash)) return index;
    }
    // The whole chain is in the ancestor set: nothing is left to back.
    return chain.length;
  }

  /**
   * `can_add_candidate_as_potential`: could this candidate be added to this chain now or later?
   * `CandidateAlreadyKnown` if it is in the best chain or the unconnected storage.
   */
  canAddCandidateAsPotential(
    candidate: HypotheticalOrConcreteCandidate,
  ): Result<undefined, FragmentChainError> {
    const hash = candidate.candidateHash;
    if (this.bestChain.contains(hash) || this.unconnectedStorage.contains(hash)) {
      return err({ code: "CandidateAlreadyKnown" });
    }
    return this.checkPotential(candidate);
  }

  /**
   * `try_adding_seconded_candidate`: adds a seconded candidate with potential to the unconnected
   * storage. A candidate never enters the best chain directly in the seconded state.
   */
  tryAddingSecondedCandidate(candidate: CandidateEntry): Result<undefined, FragmentChainError> {
    if (candidate.state === "Backed") return err({ code: "IntroduceBackedCandidate" });
    const can = this.canAddCandidateAsPotential(candidate);
    if (!can.ok) return can;
    return this.unconnectedStorage.addCandidateEntry(candidate);
  }

  /**
   * `candidate_backed`: marks an unconnected candidate as backed. If it builds on the base head
   * or on a best-chain node, the chain is reverted to its parent and repopulated (a lower-hash
   * candidate replaces the node at its position and everything after it).
   */
  candidateBacked(newlyBackedCandidate: CandidateHash): void {
    if (this.bestChain.candidates.has(newlyBackedCandidate)) return;
    const entry = this.unconnectedStorage.get(newlyBackedCandidate);
    if (entry === undefined) return;
    const parentHeadHash = entry.parentHeadDataHash;
    this.unconnectedStorage.markBacked(newlyBackedCandidate);
    // Nothing reverted: it stays unconnected (but Backed) for now.
    if (!this.revertTo(parentHeadHash)) return;

    const prevStorage = this.unconnectedStorage;
    this.unconnectedStorage = new CandidateStorage();
    this.populateChain(prevStorage);
    // Trim the forks of the chain starting from this candidate's parent onwards.
    this.trimUneligibleForks(prevStorage, parentHeadHash);
    this.populateUnconnectedPotentialCandidates(prevStorage);
  }

  // ----------------------------------------------------------------------------------------------

  /**
   * The earliest relay parent a new candidate can have to be added to the chain right now: the
   * relay parent of the last candidate (a pending-availability one may be out of scope), or the
   * scope's earliest. Undefined if the last candidate's relay parent cannot be found.
   */
  private earliestRelayParent(): RelayChainBlockInfo | undefined {
    const last = this.bestChain.chain.at(-1);
    if (last === undefined) return this.scopeValue.earliestRelayParent();
    return (
      this.scopeValue.ancestor(last.fragment.relayParent.hash) ??
      this.scopeValue.getPendingAvailability(last.candidateHash)?.relayParent
    );
  }

  /** The earliest relay parent a potential candidate may ever have: that of the last candidate
   * pending availability, or the scope's earliest. */
  private earliestRelayParentPendingAvailability(): RelayChainBlockInfo {
    const chain = this.bestChain.chain;
    for (let i = chain.length - 1; i >= 0; i--) {
      const pending = this.scopeValue.getPendingAvailability(chain[i]!.candidateHash);
      if (pending !== undefined) return pending.relayParent;
    }
    return this.scopeValue.earliestRelayParent();
  }

  /** Would a candidate outputting this head introduce a cycle or two paths to one state? (The
   * trivial zero-length cycle is checked by `CandidateEntry.new`.) */
  private checkCyclesOrInvalidTree(outputHeadHash: Hash): FragmentChainError | null {
    if (this.bestChain.byParentHead.has(outputHeadHash)) return { code: "Cycle" };
    if (this.bestChain.byOutputHead.has(outputHeadHash)) return { code: "MultiplePaths" };
    return null;
  }

  /** `check_potential`: the exact order of SEMANTICS 1.2.7. Works on concrete and hypothetical
   * candidates (the latter with fewer checks). */
  private checkPotential(
    candidate: HypotheticalOrConcreteCandidate,
  ): Result<undefined, FragmentChainError> {
    const scope = this.scopeValue;
    const parentHeadHash = candidate.parentHeadDataHash;
    const outputHeadHash = candidate.outputHeadDataHash;

    if (outputHeadHash !== null && parentHeadHash === outputHeadHash) {
      return err({ code: "ZeroLengthCycle" });
    }

    const relayParent = scope.ancestor(candidate.relayParent);
    if (relayParent === undefined) {
      return err({
        code: "RelayParentNotInScope",
        relayParent: candidate.relayParent,
        other: scope.earliestRelayParent().hash,
      });
    }

    const earliestPa = this.earliestRelayParentPendingAvailability();
    if (relayParent.number < earliestPa.number) {
      return err({
        code: "RelayParentPrecedesCandidatePendingAvailability",
        relayParent: relayParent.hash,
        other: earliestPa.hash,
      });
    }

    // A fork of a candidate of the best chain.
    const other = this.bestChain.byParentHead.get(parentHeadHash);
    if (other !== undefined) {
      if (scope.getPendingAvailability(other) !== undefined) {
        return err({ code: "ForkWithCandidatePendingAvailability", candidate: other });
      }
      if (forkSelectionRule(other, candidate.candidateHash) < 0) {
        return err({ code: "ForkChoiceRule", candidate: other });
      }
    }

    // The constraints, if the parent is a best-chain node or the latest included head.
    let constraints: Constraints;
    let minRelayParentNumber: number | undefined;
    const parentCandidate = this.bestChain.byOutputHead.get(parentHeadHash);
    if (parentCandidate !== undefined) {
      const parent = this.bestChain.chain.find((n) => n.candidateHash === parentCandidate);
      if (parent === undefined) return err({ code: "ParentCandidateNotFound" });
      const c = Constraints.applyModifications(
        scope.baseConstraints,
        parent.cumulativeModifications,
      );
      if (!c.ok) return err({ code: "ComputeConstraints", inner: c.error });
      constraints = c.value;
      minRelayParentNumber = scope.ancestor(parent.fragment.relayParent.hash)?.number;
    } else if (scope.requiredParentHash === parentHeadHash) {
      constraints = scope.baseConstraints;
    } else {
      // The parent is not known yet: nothing more can be checked for now.
      return ok();
    }

    if (outputHeadHash !== null) {
      const e = this.checkCyclesOrInvalidTree(outputHeadHash);
      if (e !== null) return err(e);
    }

    const { commitments, persistedValidationData, validationCodeHash } = candidate;
    if (commitments !== null && persistedValidationData !== null && validationCodeHash !== null) {
      const r = Fragment.checkAgainstConstraints(
        relayParent,
        constraints,
        commitments,
        validationCodeHash,
        persistedValidationData,
      );
      if (!r.ok) return err({ code: "CheckAgainstConstraints", inner: r.error });
    }

    if (relayParent.number < constraints.minRelayParentNumber) {
      return err({ code: "RelayParentMovedBackwards" });
    }
    if (minRelayParentNumber !== undefined && relayParent.number < minRelayParentNumber) {
      return err({ code: "RelayParentMovedBackwards" });
    }
    return ok();
  }

  /**
   * `trim_uneligible_forks`: breadth-first from the chain (or `startingPoint`), removes from
   * `storage` every candidate without potential and every candidate below one.
   */
  private trimUneligibleForks(storage: CandidateStorage, startingPoint: Hash | undefined): void {
    const queue: [Hash, boolean][] =
      startingPoint !== undefined
        ? [[startingPoint, true]]
        : this.bestChain.chain.length === 0
          ? [[this.scopeValue.requiredParentHash, true]]
          : this.bestChain.chain.map((n): [Hash, boolean] => [n.parentHeadDataHash, true]);
    // Visited parent heads, so that cycles cannot loop forever.
    const visited = new Set<Hash>();

    for (let head = 0; head < queue.length; head++) {
      const [parent, parentHasPotential] = queue[head]!;
      visited.add(parent);
      const children = storage.childrenOf(parent);
      if (children === undefined) continue;
      const toRemove: CandidateHash[] = [];
      for (const childHash of children) {
        const child = storage.get(childHash);
        if (child === undefined) continue;
        // A cycle or multiple paths to one candidate: stop this branch.
        if (visited.has(child.outputHeadDataHash)) continue;
        // Keep a candidate only if its whole ancestry was kept and it has potential itself.
        if (parentHasPotential && this.checkPotential(child).ok) {
          queue.push([child.outputHeadDataHash, true]);
        } else {
          toRemove.push(childHash);
          queue.push([child.outputHeadDataHash, false]);
        }
      }
      for (const hash of toRemove) storage.removeCandidate(hash);
    }
  }

  /** Keeps as unconnected every candidate of `oldStorage` that still has potential. */
  private populateUnconnectedPotentialCandidates(oldStorage: CandidateStorage): void {
    for (const candidate of oldStorage.candidates()) {
      // Pending-availability candidates are all in the best chain already.
      if (this.scopeValue.getPendingAvailability(candidate.candidateHash) !== undefined) continue;
      // Errors are swallowed: they legitimately happen when pruning stale candidates.
      if (this.canAddCandidateAsPotential(candidate).ok) {
        this.unconnectedStorage.addCandidateEntry(candidate);
      }
    }
  }

  /**
   * `populate_chain`: greedily extends the best chain with Backed candidates of `storage`
   * (removing them from it): at each step the valid child of the tip that is pending
   * availability, else the one with the lowest candidate hash.
   */
  private populateChain(storage: CandidateStorage): void {
    const scope = this.scopeValue;
    const chain = this.bestChain;
    const last = chain.chain.at(-1);
    let cumulative = last?.cumulativeModifications ?? Mods.identity();
    let earliestRp = this.earliestRelayParent();
    if (earliestRp === undefined) return;

    while (chain.chain.length < scope.maxChainLength) {
      const childConstraints = Constraints.applyModifications(scope.baseConstraints, cumulative);
      if (!childConstraints.ok) break;
      // The hash of the required parent: the tip's output head, or the base head.
      const tip = chain.chain.at(-1);
      const requiredHeadHash = tip?.outputHeadDataHash ?? scope.requiredParentHash;

      let best: { entry: CandidateEntry; fragment: Fragment; pending: boolean } | undefined;
      for (const candidate of storage.possibleBackedParaChildren(requiredHeadHash)) {
        const pending = scope.getPendingAvailability(candidate.candidateHash);
        const relayParent = pending?.relayParent ?? scope.ancestor(candidate.relayParent);
        if (relayParent === undefined) continue;
        if (this.checkCyclesOrInvalidTree(candidate.outputHeadDataHash) !== null) continue;
        // Relay parents may not move backwards; only pending-availability candidates may be out
        // of scope, and the first of them is bounded by its own relay parent only.
        const minRelayParentNumber =
          pending !== undefined && chain.chain.length === 0
            ? pending.relayParent.number
            : earliestRp.number;
        if (relayParent.number < minRelayParentNumber) continue;
        if (chain.contains(candidate.candidateHash)) continue;
        const constraints =
          pending === undefined
            ? childConstraints.value
            : { ...childConstraints.value, minRelayParentNumber: pending.relayParent.number };
        const fragment = Fragment.new(relayParent, constraints, candidate.candidate);
        if (!fragment.ok) continue;
        // Rust's `min_by` keeps the first minimum: a pending candidate is never displaced.
        const isPending = pending !== undefined;
        if (
          best === undefined ||
          (!best.pending &&
            (isPending || forkSelectionRule(best.entry.candidateHash, candidate.candidateHash) > 0))
        ) {
          best = { entry: candidate, fragment: fragment.value, pending: isPending };
        }
      }
      if (best === undefined) break;

      storage.removeCandidate(best.entry.candidateHash);
      cumulative = Mods.stacked(cumulative, best.fragment.modifications);
      earliestRp = best.fragment.relayParent;
      chain.push({
        fragment: best.fragment,
        candidateHash: best.entry.candidateHash,
        parentHeadDataHash: best.entry.parentHeadDataHash,
        outputHeadDataHash: best.entry.outputHeadDataHash,
        cumulativeModifications: cumulative,
      });
    }
  }

  /**
   * `revert_to`: makes the chain end with the candidate outputting `parentHeadHash` (or empties
   * it if that is the base head); the removed nodes go back to unconnected as Backed. False if
   * the head is neither the base head nor in the chain; true even if nothing was removed.
   */
  private revertTo(parentHeadHash: Hash): boolean {
    let removed: FragmentNode[] | undefined;
    if (this.scopeValue.requiredParentHash === parentHeadHash) removed = this.bestChain.clear();
    if (removed === undefined && this.bestChain.byOutputHead.has(parentHeadHash)) {
      removed = this.bestChain.revertToParentHash(parentHeadHash);
    }
    if (removed === undefined) return false;
    for (const node of removed) this.unconnectedStorage.addCandidateEntry(entryOfNode(node));
    return true;
  }
}
