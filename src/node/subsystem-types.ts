/**
 * The messages the validator's subsystems send each other, as narrow interfaces: a subsystem
 * depends on the interface of the subsystem it talks to, never on its class, and the node
 * (`validator.ts`, the overseer) wires the instances together. Each interface is the part of a
 * polkadot-sdk `*Message` enum that parapipe's flows use, a method per variant (a call instead of
 * a message with a response channel: the simulator is single-threaded, and every call returns
 * before the caller goes on, as awaiting the response would).
 *
 * Invariants: these are the only cross-subsystem dependencies of `node/core/*` and
 * `node/network/*` (test/architecture.test.ts enforces it); the data types carried by several
 * subsystems' messages are defined here too, below all of them.
 *
 * Ref: polkadot/node/subsystem-types/src/messages.rs (CandidateBackingMessage,
 *      CandidateValidationMessage, StatementDistributionMessage, ProspectiveParachainsMessage,
 *      AvailabilityStoreMessage, AvailabilityDistributionMessage, CollatorProtocolMessage,
 *      ProvisionerMessage, ProvisionableData).
 */
import type { PoV, SignedStatement } from "../actors/protocol.ts";
import type { HypotheticalCandidate } from "../emulator/inclusion-emulator.ts";
import type { Hash } from "../lib/hex.ts";
import type {
  BlockNumber,
  CandidateHash,
  CandidateReceipt,
  CommittedCandidateReceipt,
  CoreIndex,
  HeadData,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import type { ErasureChunk } from "../primitives/erasure/encoding.ts";
import type { BackedCandidate, SignedAvailabilityBitfield } from "../primitives/inherent.ts";
import type { BlockContext } from "./util/block-context.ts";

// -----------------------------------------------------------------------------------------------
// Prospective parachains

/** A backable candidate picked by `find_backable_chain`: the candidate and its relay parent. */
export interface BackableCandidate {
  readonly candidateHash: CandidateHash;
  readonly relayParent: Hash;
}

/** `ParentHeadData`: the parent head of a candidate, by hash only or with the data. */
export interface ParentHeadData {
  readonly hash: Hash;
  readonly headData: HeadData | null;
}

/** `ProspectiveParachainsMessage`. */
export interface ProspectiveParachainsMessage {
  /** `IntroduceSecondedCandidate`: true iff a chain of the para took the candidate or knew it. */
  introduceSecondedCandidate(
    para: ParaId,
    receipt: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
  ): boolean;
  /** `CandidateBacked`. */
  candidateBacked(para: ParaId, candidateHash: CandidateHash): void;
  /** `GetBackableCandidates` at the active leaf `relayParent`. */
  getBackableCandidates(
    relayParent: Hash,
    para: ParaId,
    count: number,
    ancestors: ReadonlySet<CandidateHash>,
  ): BackableCandidate[];
  /** `GetHypotheticalMembership`: per candidate, the active leaves that could take it. */
  getHypotheticalMembership(
    candidates: readonly HypotheticalCandidate[],
    leaf: Hash | null,
  ): Hash[][];
  /** Whether `hash` is one of the subsystem's active leaves (its own view; no Rust message). */
  isActiveLeaf(hash: Hash): boolean;
  /** `GetMinimumRelayParents`. */
  getMinimumRelayParents(relayParent: Hash): ReadonlyMap<ParaId, BlockNumber>;
  /** `GetProspectiveValidationData`. */
  getProspectiveValidationData(
    para: ParaId,
    candidateRelayParent: Hash,
    parentHead: ParentHeadData,
  ): PersistedValidationData | null;
}

// -----------------------------------------------------------------------------------------------
// Candidate backing

/** `CanSecondRequest`. */
export interface CanSecondRequest {
  readonly candidateParaId: ParaId;
  readonly candidateRelayParent: Hash;
  readonly candidateHash: CandidateHash;
  readonly parentHeadDataHash: Hash;
}

/** `CandidateBackingMessage`. */
export interface CandidateBackingMessage {
  /** `Second`: whether a validation with intent to second was started. */
  second(receipt: CommittedCandidateReceipt, pvd: PersistedValidationData, pov: PoV): boolean;
  /** `CanSecond`. */
  canSecond(request: CanSecondRequest): boolean;
  /** `Statement`: a statement whose signature statement distribution checked. */
  statement(relayParent: Hash, statement: SignedStatement): void;
  /** `GetBackableCandidates`: per para, the `BackedCandidate`s in the requested order. */
  getBackableCandidates(
    requested: ReadonlyMap<ParaId, readonly BackableCandidate[]>,
  ): Map<ParaId, BackedCandidate[]>;
  /** Whether the table at `relayParent` holds `candidateHash` as backed (statement distribution). */
  isBacked(relayParent: Hash, candidateHash: CandidateHash): boolean;
}

// -----------------------------------------------------------------------------------------------
// Candidate validation

/** Why validation rejected a candidate (`InvalidCandidate` variants). */
export type InvalidCandidate =
  | "ParamsTooLarge"
  | "PoVHashMismatch"
  | "PersistedValidationDataMismatch"
  | "Timeout"
  | "ExecutionError"
  | "ParaHeadHashMismatch"
  | "CommitmentsHashMismatch"
  | "InvalidUMPSignals";

/** `ValidationResult` of candidate validation: valid, or the `InvalidCandidate` reason. */
export type CandidateValidity =
  | { readonly kind: "Valid" }
  | { readonly kind: "Invalid"; readonly code: InvalidCandidate; readonly detail?: string };

/** `CandidateValidationMessage`. */
/** `AvailabilityRecoveryMessage::RecoverAvailableData`, with the receipt's fields recovery reads. */
export interface RecoveryRequest {
  readonly candidateHash: CandidateHash;
  /** The descriptor's `erasure_root`. */
  readonly erasureRoot: Hash;
  /** The descriptor's `pov_hash`. */
  readonly povHash: Hash;
  /** The descriptor's relay parent (the recovered `AvailableData` carries it). */
  readonly relayParent: Hash;
  /** The session's validator count. */
  readonly nValidators: number;
  /** The backing group's validator indices, or null (`backing_group: None`). */
  readonly backingGroup: readonly ValidatorIndex[] | null;
  /** The core the candidate occupied, or null. */
  readonly coreIndex: CoreIndex | null;
  /** The `AvailabilityChunkMapping` node feature of the session. */
  readonly chunkMapping: boolean;
  /**
   * The data the caller (the simulator) knows the candidate's backers stored, if any: lets a
   * reconstruction from the memo's own chunks skip the erasure decoding, and gives the PoV's
   * block back (strategies.ts header). Never changes an answer.
   */
  readonly knownData?: AvailableData | null;
}

/** What a recovery ends with (`Result<AvailableData, RecoveryError>`). */
export type RecoveryResult =
  | { readonly kind: "Valid"; readonly data: AvailableData }
  | { readonly kind: "Invalid" }
  | { readonly kind: "Unavailable" };

/** `AvailabilityRecoveryMessage`: what approval voting asks of availability recovery. */
export interface AvailabilityRecoveryMessage {
  /** `RecoverAvailableData`: `then` gets the result once. */
  recoverAvailableData(request: RecoveryRequest, then: (result: RecoveryResult) => void): void;
}

export interface CandidateValidationMessage {
  /**
   * `ValidateFromExhaustive` with `PvfExecKind::Backing` at the relay parent `ctx`: `done` runs
   * when the result is known (after the PVF worker's time for an executed candidate).
   */
  validateFromExhaustive(
    ctx: BlockContext,
    receipt: CommittedCandidateReceipt,
    pvd: PersistedValidationData,
    pov: PoV,
    done: (result: CandidateValidity) => void,
  ): void;
  /**
   * `ValidateFromExhaustive` with `PvfExecKind::Approval`: an included candidate's receipt, the
   * approval timeout, the outputs against the receipt's commitments hash.
   */
  validateForApproval(
    ctx: BlockContext,
    receipt: CandidateReceipt,
    pvd: PersistedValidationData,
    pov: PoV,
    done: (result: CandidateValidity) => void,
  ): void;
}

// -----------------------------------------------------------------------------------------------
// Statement distribution

/** `StatementDistributionMessage`. */
export interface StatementDistributionMessage {
  /** `Share`: a statement this validator signed and imported, for the other members of its group. */
  share(ctx: BlockContext, group: readonly ValidatorIndex[], statement: SignedStatement): void;
  /**
   * `Backed`: a candidate this validator's table attested. Carries what the announcement needs
   * (Rust's statement distribution reads it from its own store): the receipt, its PVD, the
   * statements imported for it in import order and the backing group's core.
   */
  backed(ctx: BlockContext, backed: BackedNotice): void;
}

/** The candidate a `Backed` message is about. */
export interface BackedNotice {
  readonly candidateHash: CandidateHash;
  readonly receipt: CommittedCandidateReceipt;
  readonly pvd: PersistedValidationData;
  readonly statements: readonly SignedStatement[];
  readonly core: CoreIndex;
}

// -----------------------------------------------------------------------------------------------
// Availability

/** `AvailableData` (PoV and PVD) as a backer stores it. */
export interface AvailableData {
  readonly pov: PoV;
  readonly pvd: PersistedValidationData;
  readonly relayParent: Hash;
}

/**
 * What `StoreAvailableData` is told besides the data: the session's validators, the erasure root
 * the descriptor commits to, the core the candidate is backed on and whether chunks are mapped
 * (`AvailabilityChunkMapping`).
 */
export interface ExpectedErasure {
  readonly nValidators: number;
  readonly erasureRoot: Hash;
  readonly core: CoreIndex;
  readonly chunkMapping: boolean;
}

/** My chunk of a candidate as the availability store holds it. */
export interface StoredChunk {
  readonly chunk: ErasureChunk;
  /** When it was stored, µs. */
  readonly storedAtUs: number;
  /** The last relay block at which the candidate was needed (pruning). */
  lastNeeded: BlockNumber;
}

/** `AvailabilityStoreMessage`, the parts the other subsystems use. */
export interface AvailabilityStoreMessage {
  /**
   * `StoreAvailableData` at `atUs`: erasure-codes it, checks the root (`InvalidErasureRoot`
   * stores nothing) and keeps the data and every chunk.
   */
  storeAvailableData(
    candidateHash: CandidateHash,
    data: AvailableData,
    atUs: number,
    expected: ExpectedErasure,
  ): "Stored" | "InvalidErasureRoot";
  /** `StoreChunk`: my own chunk; the stored entry may be handed back to `touch`. */
  storeChunk(candidateHash: CandidateHash, chunk: ErasureChunk, atUs?: number): StoredChunk;
  /** `QueryChunk`: validator `v`'s chunk as of `atUs`, if held (a backer holds all). */
  queryChunk(
    candidateHash: CandidateHash,
    validatorIndex: ValidatorIndex,
    atUs: number,
  ): ErasureChunk | undefined;
  /** `QueryChunkAvailability` for my chunk. A pure query. */
  hasChunk(candidateHash: CandidateHash): boolean;
  /** `QueryAvailableData`. */
  availableData(candidateHash: CandidateHash): AvailableData | undefined;
  /** When the whole data of a candidate was stored, µs; undefined if it is not held. */
  availableDataStoredAt(candidateHash: CandidateHash): number | undefined;
  /** Notes that the candidate is still needed at `block` (it occupies a core there). */
  touch(candidateHash: CandidateHash, block: BlockNumber, chunk?: StoredChunk | null): void;
}

/** `AvailabilityDistributionMessage::FetchPoV`. */
export interface AvailabilityDistributionMessage {
  /** Fetches a PoV from `fromValidator`; `then` gets it, or null (no answer, timeout, gone). */
  fetchPov(
    relayParent: Hash,
    candidateHash: CandidateHash,
    fromValidator: ValidatorIndex,
    then: (pov: PoV | null) => void,
  ): void;
}

// -----------------------------------------------------------------------------------------------
// Collator protocol and provisioner

/** `CollatorProtocolMessage`: what backing tells the collator protocol. */
export interface CollatorProtocolMessage {
  /** `Seconded`: we seconded a collation. */
  collationSeconded(relayParent: Hash, candidateHash: CandidateHash): void;
  /** `Invalid`, or a collation backing will not second. */
  collationNotSeconded(relayParent: Hash, candidateHash: CandidateHash): void;
  /** `Backed{para_id, para_head}`. */
  candidateBacked(paraId: ParaId, paraHead: Hash): void;
}

/** `BitfieldDistributionMessage::DistributeBitfield`: my signed bitfield, to every validator. */
export interface BitfieldDistributionMessage {
  distributeBitfield(relayParent: Hash, bitfield: SignedAvailabilityBitfield): void;
}

/** `ProvisionerMessage::ProvisionableData(Bitfield)`: a checked bitfield for an active leaf. */
export interface ProvisionerMessage {
  noteBitfield(relayParent: Hash, bitfield: SignedAvailabilityBitfield): void;
}
