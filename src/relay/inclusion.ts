/**
 * The inclusion pallet, elastic-scaling generation: per para a CHAIN of candidates pending
 * availability (`PendingAvailability: Map<Para, VecDeque<CandidatePendingAvailability>>`), starting
 * from the para's latest included head.
 *
 * Rules:
 * - Availability: a candidate is available once `availabilityThreshold(nValidators)` validators
 *   set its core's bit (votes accumulate across blocks). Only a PREFIX of each para's chain is
 *   enacted: a candidate is enacted iff it is available and it is the first one or its predecessor
 *   was enacted in the same pass; an available candidate behind an unavailable one waits.
 * - Failure (timeout, dispute): the first failing candidate of a para and ALL its descendants are
 *   freed; the candidates before it stay.
 * - Backing (`processCandidates`): each candidate is re-verified (`verifyBackedCandidate`, the
 *   exact order of polkadot-sdk's checks), its group is the one assigned to its core at
 *   `relayParentNumber + 1`, its backing votes are checked (signatures through the injected
 *   `verify`, this layer stays crypto-agnostic), then it is appended to its para's chain.
 *   `processCandidates` is atomic: on an error nothing is changed (the extrinsic fails in Rust).
 * - Paras are visited in ascending para id (Rust iterates a hashed map for freeing and enacting;
 *   the per-para outcome is the same, only the order of the returned lists differs).
 *
 * State style: plain data mutated in place (see shared.ts); events are appended to `state.events`.
 * Validator rewards (`RewardValidators`) are not modelled. Candidate hashes, the signed payload of
 * a backing vote and the injected core index are the primitives' (`primitives/candidate.ts`,
 * `statements.ts`, `inherent.ts`): one statement shared with the node.
 *
 * Ref: polkadot/runtime/parachains/src/inclusion/mod.rs, inclusion/tests.rs,
 *      polkadot/primitives/src/v8/mod.rs (check_candidate_backing).
 */
import type { HostConfiguration } from "../config/host-configuration.ts";
import type { Hash } from "../lib/hex.ts";
import { hexByteLength } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import { candidateHash, plainCandidateHash, pvdHash, toPlain } from "../primitives/candidate.ts";
import type {
  BlockNumber,
  CandidateCommitments,
  CandidateDescriptor,
  CandidateHash,
  CandidateReceipt,
  CommittedCandidateReceipt,
  CoreIndex,
  GroupIndex,
  HeadData,
  ParaId,
  SessionIndex,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";
import { type BackedCandidate, validatorIndicesAndCoreIndex } from "../primitives/inherent.ts";
import { attestationSignedPayload, type ValidityAttestation } from "../primitives/statements.ts";
import { availabilityThreshold, effectiveMinimumBackingVotes } from "../primitives/thresholds.ts";
import type { PlantedBug } from "./buggify.ts";
import {
  checkProcessedDownwardMessages,
  type ProcessedDownwardMessagesAcceptanceErr,
  pruneDmq,
} from "./dmp.ts";
import {
  checkHrmpWatermark,
  checkOutboundHrmp,
  type HrmpWatermarkAcceptanceErr,
  type OutboundHrmpAcceptanceErr,
  pruneHrmp,
  queueOutboundHrmp,
} from "./hrmp.ts";
import { canUpgradeValidationCode, noteNewHead, scheduleCodeUpgrade } from "./paras.ts";
import { availabilityTimeoutPredicate, groupAssignedToCore } from "./scheduler.ts";
import { type AllowedRelayParentsTracker, acquireInfo } from "./shared.ts";
import type { RelayState } from "./state.ts";
import { checkUpwardMessages, receiveUpwardMessages, type UmpAcceptanceCheckErr } from "./ump.ts";

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** `CandidatePendingAvailability`. Bit vectors are `boolean[]`, one entry per active validator. */
export interface CandidatePendingAvailability {
  /** The availability core this candidate occupies. */
  readonly core: CoreIndex;
  readonly hash: CandidateHash;
  readonly descriptor: CandidateDescriptor;
  readonly commitments: CandidateCommitments;
  /** Received availability votes, one bit per validator (OR-ed block after block). */
  availabilityVotes: boolean[];
  /** The backers of the candidate, one bit per validator. */
  readonly backers: boolean[];
  readonly relayParentNumber: BlockNumber;
  /** The relay-chain block this was backed in. */
  readonly backedInNumber: BlockNumber;
  readonly backingGroup: GroupIndex;
}

export interface InclusionState {
  /** `PendingAvailability`: per para, the chain of pending candidates in dependency order. */
  pendingAvailability: Map<ParaId, CandidatePendingAvailability[]>;
}

export function newInclusionState(): InclusionState {
  return { pendingAvailability: new Map() };
}

/**
 * A copy of the inclusion state a block can change without touching `s`: the pending chains and
 * each candidate's vote vector are copied, the read-only rest of a candidate is shared (a
 * `structuredClone` spent ~7 ms a block at 600 validators and 100 paras on the receipts).
 */
export function cloneInclusionState(s: InclusionState): InclusionState {
  const pendingAvailability = new Map<ParaId, CandidatePendingAvailability[]>();
  for (const [para, chain] of s.pendingAvailability) {
    pendingAvailability.set(
      para,
      chain.map((c) => ({ ...c, availabilityVotes: c.availabilityVotes.slice() })),
    );
  }
  return { pendingAvailability };
}

/** An availability bitfield (bit i = core i) after `sanitize_bitfields`. */
export interface CheckedAvailabilityBitfield {
  readonly validatorIndex: ValidatorIndex;
  readonly payload: readonly boolean[];
}

/** Checks a validator's signature over a payload; the key lookup is the callback's. */
export type VerifySignature = (
  validatorIndex: ValidatorIndex,
  payload: Uint8Array,
  signature: Uint8Array,
) => boolean;

/**
 * The events of the inclusion pallet. `candidateHash` and `paraId` are not fields of the Rust
 * events: they are derived from the receipt (its hash and descriptor), kept here so that readers
 * of events need not re-hash receipts.
 */
export type InclusionEvent =
  | (CandidateEventFields & { readonly kind: "CandidateBacked"; readonly group: GroupIndex })
  | (CandidateEventFields & { readonly kind: "CandidateIncluded"; readonly group: GroupIndex })
  | (CandidateEventFields & { readonly kind: "CandidateTimedOut" })
  | { readonly kind: "UpwardMessagesReceived"; readonly from: ParaId; readonly count: number };

/** What every candidate event carries (`candidateHash` and `paraId` are read off the receipt). */
interface CandidateEventFields {
  readonly candidateHash: CandidateHash;
  readonly paraId: ParaId;
  readonly receipt: CandidateReceipt;
  readonly headData: HeadData;
  readonly core: CoreIndex;
}

/** The inclusion pallet's `Error` variants; acceptance failures keep the inner cause. */
export type InclusionError =
  | { readonly code: "UnscheduledCandidate" }
  | { readonly code: "HeadDataTooLarge" }
  | { readonly code: "PrematureCodeUpgrade" }
  | { readonly code: "NewCodeTooLarge" }
  | { readonly code: "DisallowedRelayParent" }
  | { readonly code: "InvalidAssignment" }
  | { readonly code: "InvalidGroupIndex" }
  | { readonly code: "InsufficientBacking" }
  | { readonly code: "InvalidBacking" }
  | { readonly code: "ValidationDataHashMismatch" }
  | {
      readonly code: "IncorrectDownwardMessageHandling";
      readonly inner: ProcessedDownwardMessagesAcceptanceErr;
    }
  | { readonly code: "InvalidUpwardMessages"; readonly inner: UmpAcceptanceCheckErr }
  | { readonly code: "HrmpWatermarkMishandling"; readonly inner: HrmpWatermarkAcceptanceErr }
  | { readonly code: "InvalidOutboundHrmp"; readonly inner: OutboundHrmpAcceptanceErr }
  | { readonly code: "InvalidValidationCodeHash" }
  | { readonly code: "ParaHeadMismatch" };

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/** `para_latest_head_data`: head of the last pending candidate, else the included head. */
export function paraLatestHeadData(state: RelayState, para: ParaId): HeadData | null {
  const pending = state.inclusion.pendingAvailability.get(para);
  const last = pending?.[pending.length - 1];
  if (last !== undefined) return last.commitments.headData;
  return state.paras.heads.get(para) ?? null;
}

/** `para_most_recent_context`: relay-parent number of the last pending, else of the last included. */
export function paraMostRecentContext(state: RelayState, para: ParaId): BlockNumber | null {
  const pending = state.inclusion.pendingAvailability.get(para);
  const last = pending?.[pending.length - 1];
  if (last !== undefined) return last.relayParentNumber;
  return state.paras.mostRecentContext.get(para) ?? null;
}

/** `get_occupied_cores`: every pending candidate with its core, ascending para, chain order. */
export function getOccupiedCores(state: RelayState): [CoreIndex, CandidatePendingAvailability][] {
  const out: [CoreIndex, CandidatePendingAvailability][] = [];
  for (const para of sortedParas(state)) {
    for (const c of state.inclusion.pendingAvailability.get(para)!) out.push([c.core, c]);
  }
  return out;
}

/** `candidates_pending_availability`: the para's pending chain as committed receipts. */
export function candidatesPendingAvailability(
  state: RelayState,
  para: ParaId,
): CommittedCandidateReceipt[] {
  return (state.inclusion.pendingAvailability.get(para) ?? []).map((c) => ({
    descriptor: c.descriptor,
    commitments: c.commitments,
  }));
}

/** `first_candidate_pending_availability`. */
export function firstCandidatePendingAvailability(
  state: RelayState,
  para: ParaId,
): CommittedCandidateReceipt | null {
  return candidatesPendingAvailability(state, para)[0] ?? null;
}

function sortedParas(state: RelayState): ParaId[] {
  return [...state.inclusion.pendingAvailability.keys()].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Availability and enactment
// ---------------------------------------------------------------------------------------------

/**
 * `update_pending_availability_and_get_freed_cores`: OR the (sanitized) bitfields into the pending
 * candidates' votes and enact, per para, the longest available prefix of its chain. Returns the
 * `(core, hash)` of every enacted candidate (ascending para, chain order).
 */
export function updatePendingAvailabilityAndGetFreedCores(
  state: RelayState,
  nValidators: number,
  signedBitfields: readonly CheckedAvailabilityBitfield[],
  /** A planted bug (buggify.ts): `availability-threshold-minus-one`, `enact-out-of-order`. */
  bug?: PlantedBug,
): [CoreIndex, CandidateHash][] {
  const threshold =
    availabilityThreshold(nValidators) - (bug === "availability-threshold-minus-one" ? 1 : 0);
  // The voters per core index (sanitised bitfields: one per validator, so no duplicates; a repeat
  // would set the same vote twice anyway).
  const votesPerCore: (ValidatorIndex[] | undefined)[] = [];
  for (const bitfield of signedBitfields) {
    const payload = bitfield.payload;
    for (let core = 0; core < payload.length; core++) {
      if (!payload[core]) continue;
      const voters = votesPerCore[core];
      if (voters === undefined) votesPerCore[core] = [bitfield.validatorIndex];
      else voters.push(bitfield.validatorIndex);
    }
  }

  const freedCores: [CoreIndex, CandidateHash][] = [];
  for (const para of sortedParas(state)) {
    const candidates = state.inclusion.pendingAvailability.get(para)!;
    let lastEnactedIndex: number | null = null;
    // PLANTED BUG `enact-out-of-order`: every available candidate, wherever it is in the chain.
    const outOfOrder: number[] = [];
    candidates.forEach((candidate, index) => {
      // `remove`: a core's votes go to the first pending candidate on that core only.
      const validators = votesPerCore[candidate.core];
      if (validators !== undefined) {
        votesPerCore[candidate.core] = undefined;
        for (const v of validators) {
          // Defensive in Rust: a vote beyond the bit vector is ignored.
          if (v < candidate.availabilityVotes.length) candidate.availabilityVotes[v] = true;
        }
      }
      // Checked even without new votes: it may have become available in an earlier block while
      // its predecessor was not.
      if (countOnes(candidate.availabilityVotes) >= threshold) {
        outOfOrder.push(index);
        const canEnact = index === 0 ? lastEnactedIndex === null : lastEnactedIndex === index - 1;
        if (canEnact) lastEnactedIndex = index;
      }
    });
    if (bug === "enact-out-of-order") {
      const enacted = outOfOrder.map((index) => candidates[index]!);
      const rest = candidates.filter((_, index) => !outOfOrder.includes(index));
      candidates.splice(0, candidates.length, ...rest);
      for (const c of enacted) {
        freedCores.push([c.core, c.hash]);
        enactPending(state, c);
      }
      continue;
    }
    if (lastEnactedIndex === null) continue;
    const enacted = candidates.splice(0, lastEnactedIndex + 1);
    for (const c of enacted) {
      freedCores.push([c.core, c.hash]);
      enactPending(state, c);
    }
  }
  return freedCores;
}

function countOnes(bits: readonly boolean[]): number {
  let n = 0;
  for (const b of bits) if (b) n++;
  return n;
}

/** `enact_candidate` of a candidate pending availability. */
function enactPending(state: RelayState, c: CandidatePendingAvailability): void {
  const receipt = { descriptor: c.descriptor, commitments: c.commitments };
  enactCandidate(state, c.relayParentNumber, receipt, c.core, c.backingGroup, c.hash);
}

/**
 * `enact_candidate`: schedule a code upgrade if any, prune the DMQ, enqueue the upward messages
 * (up to the separator), advance the HRMP watermark, queue outbound HRMP, deposit
 * `CandidateIncluded`, and note the new head with the candidate's relay-parent number. Rust also
 * rewards the backers and availability voters; rewards are not modelled, so they are not passed.
 */
export function enactCandidate(
  state: RelayState,
  relayParentNumber: BlockNumber,
  receipt: CommittedCandidateReceipt,
  core: CoreIndex,
  backingGroup: GroupIndex,
  /** `receipt.hash()`; a pending candidate passes the hash it was backed under (the same). */
  candidateHash: CandidateHash = plainCandidateHash(toPlain(receipt)),
): void {
  const plain = toPlain(receipt);
  const para = receipt.descriptor.paraId;
  const commitments = receipt.commitments;
  if (commitments.newValidationCode !== null) {
    scheduleCodeUpgrade(state.paras, para, commitments.newValidationCode, state.now, state.config);
  }
  pruneDmq(state.dmp, para, commitments.processedDownwardMessages);
  const count = receiveUpwardMessages(state.ump, para, commitments.upwardMessages);
  if (count > 0) state.events.push({ kind: "UpwardMessagesReceived", from: para, count });
  pruneHrmp(state.hrmp, para, commitments.hrmpWatermark);
  queueOutboundHrmp(state.hrmp, para, commitments.horizontalMessages, state.now);
  state.events.push({
    kind: "CandidateIncluded",
    candidateHash,
    paraId: para,
    receipt: plain,
    headData: commitments.headData,
    core,
    group: backingGroup,
  });
  noteNewHead(state.paras, para, commitments.headData, relayParentNumber);
}

/**
 * `force_enact`: enact all pending candidates of the para as if available (runtime-API helper
 * for `OccupiedCoreAssumption::Included`; the caller discards the state afterwards).
 */
export function forceEnact(state: RelayState, para: ParaId): void {
  const candidates = state.inclusion.pendingAvailability.get(para);
  if (candidates === undefined) return;
  for (const c of candidates.splice(0)) {
    enactPending(state, c);
  }
}

// ---------------------------------------------------------------------------------------------
// Freeing failed candidates
// ---------------------------------------------------------------------------------------------

/**
 * `free_failed_cores`: per para, drop the first candidate (in chain order) matching `pred` and all
 * that follow it. Returns the dropped candidates (ascending para, chain order).
 */
export function freeFailedCores(
  state: RelayState,
  pred: (candidate: CandidatePendingAvailability) => boolean,
): CandidatePendingAvailability[] {
  const cleanedUp: CandidatePendingAvailability[] = [];
  for (const para of sortedParas(state)) {
    const candidates = state.inclusion.pendingAvailability.get(para)!;
    const earliest = candidates.findIndex(pred);
    if (earliest !== -1) cleanedUp.push(...candidates.splice(earliest));
  }
  return cleanedUp;
}

/**
 * `free_timedout`: free timed-out candidates with their descendants, depositing
 * `CandidateTimedOut` for each; returns their cores. `isTimedOut` defaults to the scheduler's
 * `availability_timeout_predicate` on `backedInNumber` (callers evaluate this only when
 * `availabilityTimeoutCheckRequired`).
 */
export function freeTimedout(
  state: RelayState,
  isTimedOut: (candidate: CandidatePendingAvailability) => boolean = timeoutPredicateOf(state),
): CoreIndex[] {
  const timedOut = freeFailedCores(state, isTimedOut);
  for (const c of timedOut) {
    state.events.push({
      kind: "CandidateTimedOut",
      candidateHash: c.hash,
      paraId: c.descriptor.paraId,
      receipt: toPlain({ descriptor: c.descriptor, commitments: c.commitments }),
      headData: c.commitments.headData,
      core: c.core,
    });
  }
  return timedOut.map((c) => c.core);
}

function timeoutPredicateOf(state: RelayState): (c: CandidatePendingAvailability) => boolean {
  const pred = availabilityTimeoutPredicate(state.scheduler, state.config, state.now);
  return (c) => pred(c.backedInNumber).timedOut;
}

/** `free_disputed`: free candidates concluded invalid, with their descendants. */
export function freeDisputed(
  state: RelayState,
  disputed: ReadonlySet<CandidateHash>,
): [CoreIndex, CandidateHash][] {
  return freeFailedCores(state, (c) => disputed.has(c.hash)).map((c) => [c.core, c.hash]);
}

/** `initializer_on_new_session`: drop every pending candidate and the outgoing paras' UMP queues. */
export function inclusionOnNewSession(state: RelayState, outgoingParas: readonly ParaId[]): void {
  state.inclusion.pendingAvailability.clear();
  for (const para of outgoingParas) state.ump.upwardQueues.delete(para);
}

// ---------------------------------------------------------------------------------------------
// Candidate checks
// ---------------------------------------------------------------------------------------------

/** `CandidateCheckContext`: the active configuration and the previous candidate's context. */
export interface CandidateCheckContext {
  readonly config: HostConfiguration;
  readonly prevContext: BlockNumber | null;
}

export function candidateCheckContext(
  state: RelayState,
  prevContext: BlockNumber | null,
): CandidateCheckContext {
  return { config: state.config, prevContext };
}

/**
 * `verify_backed_candidate`, checks in this order: relay parent allowed (and not before
 * `prevContext`) → persisted-validation-data hash → current code exists → code hash → para head
 * hash → `checkValidationOutputs`. Returns the relay-parent number.
 */
export function verifyBackedCandidate(
  state: RelayState,
  ctx: CandidateCheckContext,
  allowedRelayParents: AllowedRelayParentsTracker,
  receipt: CommittedCandidateReceipt,
  parentHeadData: HeadData,
): Result<BlockNumber, InclusionError> {
  const d = receipt.descriptor;
  const acquired = acquireInfo(allowedRelayParents, d.relayParent, ctx.prevContext);
  if (acquired === null) return err({ code: "DisallowedRelayParent" });
  const relayParentNumber = acquired.number;

  const expected = pvdHash({
    parentHead: parentHeadData,
    relayParentNumber,
    relayParentStorageRoot: acquired.info.stateRoot,
    maxPovSize: ctx.config.maxPovSize,
  });
  if (expected !== d.persistedValidationDataHash)
    return err({ code: "ValidationDataHashMismatch" });

  // A candidate of a para without current validation code is not scheduled.
  const codeHash = state.paras.currentCodeHash.get(d.paraId);
  if (codeHash === undefined) return err({ code: "UnscheduledCandidate" });
  if (d.validationCodeHash !== codeHash) return err({ code: "InvalidValidationCodeHash" });

  if (d.paraHead !== hashHex(receipt.commitments.headData))
    return err({ code: "ParaHeadMismatch" });

  const outputs = checkValidationOutputs(
    state,
    ctx,
    d.paraId,
    relayParentNumber,
    receipt.commitments,
  );
  if (!outputs.ok) return outputs;
  return ok(relayParentNumber);
}

/**
 * `check_validation_outputs` (errors already mapped through `strip_into_dispatch_err`, keeping the
 * inner cause): head size, code upgrade allowed and code size, DMP, UMP, HRMP watermark, HRMP out.
 */
export function checkValidationOutputs(
  state: RelayState,
  ctx: CandidateCheckContext,
  para: ParaId,
  relayParentNumber: BlockNumber,
  commitments: CandidateCommitments,
): Result<undefined, InclusionError> {
  const config = ctx.config;
  if (hexByteLength(commitments.headData) > config.maxHeadDataSize)
    return err({ code: "HeadDataTooLarge" });
  if (commitments.newValidationCode !== null) {
    if (!canUpgradeValidationCode(state.paras, para)) return err({ code: "PrematureCodeUpgrade" });
    if (commitments.newValidationCode.length > config.maxCodeSize)
      return err({ code: "NewCodeTooLarge" });
  }
  const dmp = checkProcessedDownwardMessages(
    state.dmp,
    para,
    relayParentNumber,
    commitments.processedDownwardMessages,
  );
  if (!dmp.ok) return err({ code: "IncorrectDownwardMessageHandling", inner: dmp.error });
  const ump = checkUpwardMessages(state.ump, state.paras, config, para, commitments.upwardMessages);
  if (!ump.ok) return err({ code: "InvalidUpwardMessages", inner: ump.error });
  const watermark = checkHrmpWatermark(
    state.hrmp,
    para,
    relayParentNumber,
    commitments.hrmpWatermark,
  );
  if (!watermark.ok) return err({ code: "HrmpWatermarkMishandling", inner: watermark.error });
  const hrmp = checkOutboundHrmp(state.hrmp, config, para, commitments.horizontalMessages);
  if (!hrmp.ok) return err({ code: "InvalidOutboundHrmp", inner: hrmp.error });
  return ok(undefined);
}

/** `check_validation_outputs_for_runtime_api`: with the para's most recent context as prev. */
export function checkValidationOutputsForRuntimeApi(
  state: RelayState,
  para: ParaId,
  relayParentNumber: BlockNumber,
  commitments: CandidateCommitments,
): boolean {
  const ctx = candidateCheckContext(state, paraMostRecentContext(state, para));
  return checkValidationOutputs(state, ctx, para, relayParentNumber, commitments).ok;
}

// ---------------------------------------------------------------------------------------------
// Backing
// ---------------------------------------------------------------------------------------------

/**
 * `check_candidate_backing` (primitives): the number of valid votes, or null (Rust `Err(())`) if
 * the bitfield length differs from the group, there are more votes than members, a set bit's
 * validator is unknown, a signature is invalid, or fewer bits are set than votes were given.
 */
export function checkCandidateBacking(
  hash: CandidateHash,
  validityVotes: readonly ValidityAttestation[],
  validatorIndices: readonly boolean[],
  sessionIndex: SessionIndex,
  parentHash: Hash,
  groupLen: number,
  validatorLookup: (indexInGroup: number) => ValidatorIndex | null,
  verify: VerifySignature,
): number | null {
  if (validatorIndices.length !== groupLen) return null;
  if (validityVotes.length > groupLen) return null;
  let signed = 0;
  let vote = 0;
  for (let i = 0; i < validatorIndices.length && vote < validityVotes.length; i++) {
    if (!validatorIndices[i]) continue;
    const attestation = validityVotes[vote++]!;
    const validator = validatorLookup(i);
    if (validator === null) return null;
    const payload = attestationSignedPayload(attestation, hash, { sessionIndex, parentHash });
    if (!verify(validator, payload, attestation.signature)) return null;
    signed += 1;
  }
  if (signed !== validityVotes.length) return null;
  return signed;
}

/**
 * `check_backing_votes`: strip the injected core index if enabled, check the backing, require
 * `effectiveMinimumBackingVotes(groupLen, minimumBackingVotes)` votes. Returns the backers bit
 * vector (over all validators) and `(validator, attestation)` per vote.
 */
export function checkBackingVotes(
  state: RelayState,
  backed: BackedCandidate,
  groupVals: readonly ValidatorIndex[],
  coreIndexEnabled: boolean,
  verify: VerifySignature,
  /** A planted bug (buggify.ts): `backing-votes-minus-one`. */
  bug?: PlantedBug,
): Result<
  { backers: boolean[]; backerIdxAndAttestation: [ValidatorIndex, ValidityAttestation][] },
  InclusionError
> {
  const nValidators = state.shared.activeValidatorKeys.length;
  const hash = candidateHash(backed.candidate);
  const { validatorIndices } = validatorIndicesAndCoreIndex(backed, coreIndexEnabled);
  const amount = checkCandidateBacking(
    hash,
    backed.validityVotes,
    validatorIndices,
    state.shared.currentSessionIndex,
    backed.candidate.descriptor.relayParent,
    groupVals.length,
    (i) => {
      const v = groupVals[i];
      return v !== undefined && v < nValidators ? v : null;
    },
    verify,
  );
  if (amount === null) return err({ code: "InvalidBacking" });
  const minimum =
    effectiveMinimumBackingVotes(groupVals.length, state.config.minimumBackingVotes) -
    (bug === "backing-votes-minus-one" ? 1 : 0);
  if (amount < minimum) return err({ code: "InsufficientBacking" });

  const backers = new Array<boolean>(nValidators).fill(false);
  const backerIdxAndAttestation: [ValidatorIndex, ValidityAttestation][] = [];
  let vote = 0;
  for (let i = 0; i < validatorIndices.length && vote < backed.validityVotes.length; i++) {
    if (!validatorIndices[i]) continue;
    const v = groupVals[i]!;
    backerIdxAndAttestation.push([v, backed.validityVotes[vote++]!]);
    backers[v] = true;
  }
  return ok({ backers, backerIdxAndAttestation });
}

/**
 * `process_candidates`: for each para (ascending) and each of its candidates in chain order, verify
 * it on top of the latest head, find its backing group (`groupAssignedToCore(core, rpn + 1)`),
 * check the backing votes, and append it to the para's pending chain (event `CandidateBacked`).
 * Atomic: on error the state and events are unchanged.
 */
export function processCandidates(
  state: RelayState,
  allowedRelayParents: AllowedRelayParentsTracker,
  candidates: ReadonlyMap<ParaId, readonly (readonly [BackedCandidate, CoreIndex])[]>,
  groupValidators: (group: GroupIndex) => readonly ValidatorIndex[] | null,
  coreIndexEnabled: boolean,
  verify: VerifySignature,
  /** A planted bug (buggify.ts), for `check_backing_votes`. */
  bug?: PlantedBug,
): Result<[CandidateReceipt, [ValidatorIndex, ValidityAttestation][]][], InclusionError> {
  const nValidators = state.shared.activeValidatorKeys.length;
  const appended = new Map<ParaId, CandidatePendingAvailability[]>();
  const events: InclusionEvent[] = [];
  const out: [CandidateReceipt, [ValidatorIndex, ValidityAttestation][]][] = [];

  for (const para of [...candidates.keys()].sort((a, b) => a - b)) {
    let latestHeadData = paraLatestHeadData(state, para);
    // Defensive in Rust ("Latest included head data ... is None"): the para is skipped.
    if (latestHeadData === null) continue;
    for (const [backed, core] of candidates.get(para)!) {
      const hash = candidateHash(backed.candidate);
      // The previous context is None: chaining was already checked in sanitization.
      const verified = verifyBackedCandidate(
        state,
        candidateCheckContext(state, null),
        allowedRelayParents,
        backed.candidate,
        latestHeadData,
      );
      if (!verified.ok) return verified;
      const relayParentNumber = verified.value;
      // Backed by the group assigned to the core at `relay_parent_number + 1`, which is always
      // in the current session.
      const group = groupAssignedToCore(state.scheduler, state.config, core, relayParentNumber + 1);
      if (group === null) return err({ code: "InvalidAssignment" });
      const groupVals = groupValidators(group);
      if (groupVals === null) return err({ code: "InvalidGroupIndex" });
      const votes = checkBackingVotes(state, backed, groupVals, coreIndexEnabled, verify, bug);
      if (!votes.ok) return votes;

      latestHeadData = backed.candidate.commitments.headData;
      out.push([toPlain(backed.candidate), votes.value.backerIdxAndAttestation]);
      const list = appended.get(para) ?? [];
      list.push({
        core,
        hash,
        descriptor: backed.candidate.descriptor,
        commitments: backed.candidate.commitments,
        availabilityVotes: new Array<boolean>(nValidators).fill(false),
        backers: votes.value.backers,
        relayParentNumber,
        backedInNumber: state.now,
        backingGroup: group,
      });
      appended.set(para, list);
      events.push({
        kind: "CandidateBacked",
        candidateHash: hash,
        paraId: para,
        receipt: toPlain(backed.candidate),
        headData: backed.candidate.commitments.headData,
        core,
        group,
      });
    }
  }
  // Commit only now: any error above leaves the state as it was (the extrinsic fails in Rust).
  for (const [para, list] of appended) {
    const chain = state.inclusion.pendingAvailability.get(para) ?? [];
    chain.push(...list);
    state.inclusion.pendingAvailability.set(para, chain);
  }
  state.events.push(...events);
  return ok(out);
}
