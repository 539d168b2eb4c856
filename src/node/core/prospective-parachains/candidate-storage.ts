/**
 * Candidate entries and the candidate storage of the fragment chain: seconded or backed
 * candidates indexed by candidate hash, by parent head-data hash and by output head-data hash.
 * No assumption is made on whether the stored candidates form a chain (they may form trees,
 * forests or even cycles).
 *
 * Invariants:
 * - A `CandidateEntry` is immutable; `markBacked` replaces the stored entry by a backed copy. So an
 *   entry can be shared by the storages of many fragment chains (Rust clones entries and shares
 *   the expensive part through an `Arc`; sharing an immutable object is the same thing).
 * - The three indices always agree: every candidate of `byCandidateHash` is in the sets of
 *   `byParentHead` and `byOutputHead` under its head hashes, and no set is ever empty.
 *
 * Ref: polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs (CandidateStorage,
 *      CandidateEntry, CandidateState, CandidateEntryError)
 */

import type {
  HypotheticalOrConcreteCandidate,
  ProspectiveCandidate,
} from "../../../emulator/inclusion-emulator.ts";
import type { Hash } from "../../../lib/hex.ts";
import { err, ok, type Result } from "../../../lib/result.ts";
import { pvdHash } from "../../../primitives/candidate.ts";
import type {
  CandidateCommitments,
  CandidateHash,
  CommittedCandidateReceipt,
  HeadData,
  PersistedValidationData,
} from "../../../primitives/codecs.ts";
import { hashHex } from "../../../primitives/hashing.ts";

/** The state of a candidate: candidates are not considered at all until seconded. */
export type CandidateState = "Seconded" | "Backed";

/** `CandidateEntryError`: why a candidate cannot become an entry. */
export type CandidateEntryError =
  | { readonly code: "PersistedValidationDataMismatch" }
  | { readonly code: "ZeroLengthCycle" };

/** The errors of the storage itself (a subset of the fragment chain's `Error`). */
export type CandidateStorageError =
  | { readonly code: "CandidateAlreadyKnown" }
  | { readonly code: "CandidateEntry"; readonly inner: CandidateEntryError };

/** `PersistedValidationData::hash()`: blake2b-256 of its SCALE encoding. */
export function persistedValidationDataHash(pvd: PersistedValidationData): Hash {
  // Memoised per PVD object (PVDs are immutable once built, see `primitives/candidate.ts`).
  return pvdHash(pvd);
}

/** A candidate in a `CandidateStorage`. */
export class CandidateEntry implements HypotheticalOrConcreteCandidate {
  private constructor(
    readonly candidateHash: CandidateHash,
    readonly parentHeadDataHash: Hash,
    readonly outputHeadDataHash: Hash,
    readonly relayParent: Hash,
    readonly candidate: ProspectiveCandidate,
    readonly state: CandidateState,
  ) {}

  /**
   * `CandidateEntry::new`. The candidate hash is passed in, not recomputed. Fails if the PVD does
   * not hash to the descriptor's PVD hash, then if the candidate's output head equals its parent.
   */
  static new(
    candidateHash: CandidateHash,
    candidate: CommittedCandidateReceipt,
    persistedValidationData: PersistedValidationData,
    state: CandidateState,
  ): Result<CandidateEntry, CandidateEntryError> {
    if (
      persistedValidationDataHash(persistedValidationData) !==
      candidate.descriptor.persistedValidationDataHash
    ) {
      return err({ code: "PersistedValidationDataMismatch" });
    }
    const parentHeadDataHash = hashHex(persistedValidationData.parentHead);
    const outputHeadDataHash = hashHex(candidate.commitments.headData);
    if (parentHeadDataHash === outputHeadDataHash) return err({ code: "ZeroLengthCycle" });
    return ok(
      new CandidateEntry(
        candidateHash,
        parentHeadDataHash,
        outputHeadDataHash,
        candidate.descriptor.relayParent,
        {
          commitments: candidate.commitments,
          persistedValidationData,
          povHash: candidate.descriptor.povHash,
          validationCodeHash: candidate.descriptor.validationCodeHash,
        },
        state,
      ),
    );
  }

  /** `CandidateEntry::new_seconded`. */
  static newSeconded(
    candidateHash: CandidateHash,
    candidate: CommittedCandidateReceipt,
    persistedValidationData: PersistedValidationData,
  ): Result<CandidateEntry, CandidateEntryError> {
    return CandidateEntry.new(candidateHash, candidate, persistedValidationData, "Seconded");
  }

  /** An entry built from parts already checked (a best-chain node going back to storage). */
  static fromParts(
    candidateHash: CandidateHash,
    parentHeadDataHash: Hash,
    outputHeadDataHash: Hash,
    relayParent: Hash,
    candidate: ProspectiveCandidate,
    state: CandidateState,
  ): CandidateEntry {
    return new CandidateEntry(
      candidateHash,
      parentHeadDataHash,
      outputHeadDataHash,
      relayParent,
      candidate,
      state,
    );
  }

  /** The same candidate in another state (entries are immutable). */
  withState(state: CandidateState): CandidateEntry {
    if (state === this.state) return this;
    return new CandidateEntry(
      this.candidateHash,
      this.parentHeadDataHash,
      this.outputHeadDataHash,
      this.relayParent,
      this.candidate,
      state,
    );
  }

  get commitments(): CandidateCommitments {
    return this.candidate.commitments;
  }

  get persistedValidationData(): PersistedValidationData {
    return this.candidate.persistedValidationData;
  }

  get validationCodeHash(): Hash {
    return this.candidate.validationCodeHash;
  }
}

function addToIndex(index: Map<Hash, Set<CandidateHash>>, key: Hash, hash: CandidateHash): void {
  const set = index.get(key);
  if (set === undefined) index.set(key, new Set([hash]));
  else set.add(hash);
}

function removeFromIndex(
  index: Map<Hash, Set<CandidateHash>>,
  key: Hash,
  hash: CandidateHash,
): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(hash);
  if (set.size === 0) index.delete(key);
}

function firstOf<T>(set: ReadonlySet<T> | undefined): T | undefined {
  if (set === undefined) return undefined;
  for (const v of set) return v;
  return undefined;
}

/** `CandidateStorage`: candidates and their head-data links. */
export class CandidateStorage {
  /** Head-data hash -> candidates having it as parent. */
  private readonly byParentHead: Map<Hash, Set<CandidateHash>>;
  /** Head-data hash -> candidates outputting it. */
  private readonly byOutputHead: Map<Hash, Set<CandidateHash>>;
  private readonly byCandidateHash: Map<CandidateHash, CandidateEntry>;

  constructor() {
    this.byParentHead = new Map();
    this.byOutputHead = new Map();
    this.byCandidateHash = new Map();
  }

  /** A copy sharing the (immutable) entries. */
  clone(): CandidateStorage {
    const copy = new CandidateStorage();
    for (const [k, v] of this.byParentHead) copy.byParentHead.set(k, new Set(v));
    for (const [k, v] of this.byOutputHead) copy.byOutputHead.set(k, new Set(v));
    for (const [k, v] of this.byCandidateHash) copy.byCandidateHash.set(k, v);
    return copy;
  }

  /** `add_pending_availability_candidate`: a new entry in the Backed state, then added. */
  addPendingAvailabilityCandidate(
    candidateHash: CandidateHash,
    candidate: CommittedCandidateReceipt,
    persistedValidationData: PersistedValidationData,
  ): Result<undefined, CandidateStorageError> {
    const entry = CandidateEntry.new(candidateHash, candidate, persistedValidationData, "Backed");
    if (!entry.ok) return err({ code: "CandidateEntry", inner: entry.error });
    return this.addCandidateEntry(entry.value);
  }

  /** `add_candidate_entry`: `CandidateAlreadyKnown` if the hash is present. */
  addCandidateEntry(
    candidate: CandidateEntry,
  ): Result<undefined, { readonly code: "CandidateAlreadyKnown" }> {
    const hash = candidate.candidateHash;
    if (this.byCandidateHash.has(hash)) return err({ code: "CandidateAlreadyKnown" });
    addToIndex(this.byParentHead, candidate.parentHeadDataHash, hash);
    addToIndex(this.byOutputHead, candidate.outputHeadDataHash, hash);
    this.byCandidateHash.set(hash, candidate);
    return ok();
  }

  /** `remove_candidate`: removing an unknown candidate is a no-op. Returns the removed entry. */
  removeCandidate(candidateHash: CandidateHash): CandidateEntry | undefined {
    const entry = this.byCandidateHash.get(candidateHash);
    if (entry === undefined) return undefined;
    this.byCandidateHash.delete(candidateHash);
    removeFromIndex(this.byParentHead, entry.parentHeadDataHash, candidateHash);
    removeFromIndex(this.byOutputHead, entry.outputHeadDataHash, candidateHash);
    return entry;
  }

  /** `mark_backed`: idempotent; an unknown candidate is a no-op. */
  markBacked(candidateHash: CandidateHash): void {
    const entry = this.byCandidateHash.get(candidateHash);
    if (entry !== undefined) this.byCandidateHash.set(candidateHash, entry.withState("Backed"));
  }

  contains(candidateHash: CandidateHash): boolean {
    return this.byCandidateHash.has(candidateHash);
  }

  get(candidateHash: CandidateHash): CandidateEntry | undefined {
    return this.byCandidateHash.get(candidateHash);
  }

  /** The stored candidates, in insertion order (Rust: arbitrary order). */
  candidates(): IterableIterator<CandidateEntry> {
    return this.byCandidateHash.values();
  }

  /** The hashes of the candidates having `parentHeadHash` as parent (any state). */
  childrenOf(parentHeadHash: Hash): ReadonlySet<CandidateHash> | undefined {
    return this.byParentHead.get(parentHeadHash);
  }

  /**
   * `head_data_by_hash`: the head data of some candidate outputting it, else of some candidate
   * building on it, else undefined.
   */
  headDataByHash(hash: Hash): HeadData | undefined {
    const out = firstOf(this.byOutputHead.get(hash));
    if (out !== undefined) {
      const e = this.byCandidateHash.get(out);
      if (e !== undefined) return e.candidate.commitments.headData;
    }
    const child = firstOf(this.byParentHead.get(hash));
    if (child !== undefined) {
      const e = this.byCandidateHash.get(child);
      if (e !== undefined) return e.candidate.persistedValidationData.parentHead;
    }
    return undefined;
  }

  /** `possible_backed_para_children`: the Backed candidates having `parentHeadHash` as parent. */
  *possibleBackedParaChildren(parentHeadHash: Hash): Generator<CandidateEntry> {
    const hashes = this.byParentHead.get(parentHeadHash);
    if (hashes === undefined) return;
    for (const h of hashes) {
      const c = this.byCandidateHash.get(h);
      if (c !== undefined && c.state === "Backed") yield c;
    }
  }

  get size(): number {
    return this.byCandidateHash.size;
  }
}
