/**
 * The parachains inherent's filtering: bitfield sanitization and `sanitize_backed_candidates`,
 * in the ProvideInherent (block author) context: what does not pass is filtered out, never a
 * block failure. Every filter can report what it dropped and why (`DroppedBitfield`,
 * `DroppedCandidate`), so the simulator can compare what a node offered with what the runtime
 * accepted; the reasons are the Rust error variants where one exists (`InclusionError`,
 * `CommittedCandidateReceiptError`), otherwise a name for the Rust filter's condition.
 *
 * Invariant kept by every filter: per para, candidates are in chain (dependency) order, and
 * whenever one is dropped ALL later candidates of the same para are dropped too
 * (`retainCandidates` keeps the longest valid prefix; the later ones are reported as
 * `AncestorDropped`). Steps of `sanitizeBackedCandidates`:
 * 1. descriptor-version / UMP-signal checks (`sanitizeBackedCandidateV2`; a drop here also drops
 *    the descendants in step 2, since they no longer chain);
 * 2. `filterUnchainedCandidates` (duplicates stop a para; each candidate must verify on top of the
 *    previous one, relay parents non-decreasing from the para's most recent context);
 * 3. concluded-invalid candidates (and descendants);
 * 4. `mapCandidatesToCores` (single core without core indices: first candidate only; with core
 *    indices enabled: each candidate's core must be a remaining scheduled core of its para);
 * 5. backing votes of disabled validators removed; too few votes left drops the candidate.
 *
 * DEPARTURE (`filterCandidatesWithInvalidBacking`, called by `applyBlock` after step 5): Rust does
 * not check backing signatures or vote counts while sanitizing; a candidate with bad or too few
 * votes makes `process_candidates` fail, so `create_inherent` returns None and the author's block
 * has no paras inherent (it then panics in `on_finalize`). parapipe filters such a candidate (and
 * its descendants) with the `InclusionError` `process_candidates` would have returned
 * (`InvalidBacking`, `InsufficientBacking`), stage `backing`, so a faulty offer shows up as a drop
 * instead of a lost block. With honest nodes the step never drops anything.
 *
 * Core selection from UMP signals is injected (`CheckCoreIndex`: polkadot-sdk's
 * `parse_ump_signals` on the claim queue stored with the relay parent, `applyBlock` passes
 * `src/primitives/core-selection.ts`'s). The core a candidate is mapped to is its V2 descriptor's
 * `coreIndex` (checked by that function) or, for V1 descriptors, the core index injected in the
 * validator-indices bitfield. The version pinned is the one where the tracker stores the claim
 * queue per relay parent (V2 descriptors need the current session; no separate
 * `cq_offset == now - rpn - 1` check).
 *
 * State style: pure over the given state (nothing is mutated); inputs are not modified.
 *
 * Ref: polkadot/runtime/parachains/src/paras_inherent/mod.rs.
 */
import { ensure } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import { candidateHash } from "../primitives/candidate.ts";
import type { TransposedClaimQueue } from "../primitives/claim-queue.ts";
import {
  type CandidateHash,
  type CommittedCandidateReceipt,
  type CoreIndex,
  descriptorVersion,
  type HeadData,
  type ParaId,
  type SessionIndex,
  type ValidatorIndex,
} from "../primitives/codecs.ts";
import {
  type BackedCandidate,
  newBackedCandidate,
  type SignedAvailabilityBitfield,
  validatorIndicesAndCoreIndex,
} from "../primitives/inherent.ts";
import { bitfieldSigningPayload } from "../primitives/statements.ts";
import { effectiveMinimumBackingVotes } from "../primitives/thresholds.ts";
import type { CommittedCandidateReceiptError } from "../primitives/ump.ts";
import type { PlantedBug } from "./buggify.ts";
import {
  type CheckedAvailabilityBitfield,
  candidateCheckContext,
  checkBackingVotes,
  type InclusionError,
  paraLatestHeadData,
  paraMostRecentContext,
  type VerifySignature,
  verifyBackedCandidate,
} from "./inclusion.ts";
import { groupAssignedToCore, groupValidators } from "./scheduler.ts";
import { type AllowedRelayParentsTracker, acquireInfo } from "./shared.ts";
import type { RelayState } from "./state.ts";

/** `parse_ump_signals` (from the core-selection primitives) on a relay parent's claim queue. */
export type CheckCoreIndex = (
  receipt: CommittedCandidateReceipt,
  transposedClaimQueue: TransposedClaimQueue,
) => Result<unknown, CommittedCandidateReceiptError>;

// ---------------------------------------------------------------------------------------------
// What was filtered, and why
// ---------------------------------------------------------------------------------------------

/** Why `sanitize_bitfields` dropped a bitfield. */
export type BitfieldDropReason =
  /** The disputed bitfield has the wrong length: a logic error in Rust, every bitfield dropped. */
  | { readonly code: "DisputedBitfieldLengthMismatch" }
  | { readonly code: "WrongLength"; readonly expected: number; readonly found: number }
  | { readonly code: "DisputedCore" }
  /** Not strictly ascending by validator index (also: a second bitfield of one validator). */
  | { readonly code: "NotAscending" }
  | { readonly code: "ValidatorIndexOutOfBounds" }
  | { readonly code: "InvalidSignature" };

export interface DroppedBitfield {
  readonly validatorIndex: ValidatorIndex;
  readonly reason: BitfieldDropReason;
}

/** The filter that dropped a candidate (the steps of the header, plus `backing`). */
export type SanitizeStage =
  | "v2"
  | "unchained"
  | "concludedInvalid"
  | "cores"
  | "disabledValidators"
  | "backing";

/** Why a backed candidate was filtered. */
export type CandidateDropReason =
  /** `verify_backed_candidate` (stage `unchained`) or `check_backing_votes` (stage `backing`). */
  | InclusionError
  /** `parse_ump_signals` on the relay parent's claim queue (stage `v2`). */
  | CommittedCandidateReceiptError
  /** A V2 descriptor or UMP signals without the `CandidateReceiptV2` node feature. */
  | { readonly code: "V2ReceiptsDisabled" }
  /** A V2 descriptor of another session than the current one. */
  | {
      readonly code: "SessionIndexMismatch";
      readonly descriptor: SessionIndex;
      readonly current: SessionIndex;
    }
  /** The same candidate twice in a para's chain. */
  | { readonly code: "DuplicateCandidate" }
  /** The para has no head or no most recent context (defensive in Rust). */
  | { readonly code: "ParaHeadUnknown" }
  | { readonly code: "ConcludedInvalid" }
  /** No free core of the claim queue's front is assigned to the para. */
  | { readonly code: "ParaNotScheduled" }
  /** Several scheduled cores but no `ElasticScalingMVP`: the para's candidates are all dropped. */
  | { readonly code: "MultipleCoresWithoutCoreIndex" }
  /** More candidates than the para has scheduled cores. */
  | { readonly code: "ExceedsScheduledCores" }
  /** Neither a committed (V2) nor a valid injected core index. */
  | { readonly code: "NoCoreIndex" }
  /** The candidate's core is not one of the para's remaining scheduled cores. */
  | { readonly code: "CoreNotScheduled"; readonly core: CoreIndex }
  /** Too few votes left once disabled validators' votes are removed. */
  | { readonly code: "InsufficientBackingAfterDisabling" }
  /** An earlier candidate of the same para was dropped. */
  | { readonly code: "AncestorDropped"; readonly ancestor: CandidateHash };

export interface DroppedCandidate {
  readonly candidateHash: CandidateHash;
  readonly paraId: ParaId;
  readonly stage: SanitizeStage;
  readonly reason: CandidateDropReason;
}

/** Records `removed[0]` with `reason` and the rest as descendants of it. */
function recordDrops(
  out: DroppedCandidate[] | undefined,
  stage: SanitizeStage,
  para: ParaId,
  removed: readonly BackedCandidate[],
  reason: CandidateDropReason,
): void {
  if (out === undefined || removed.length === 0) return;
  const first = candidateHash(removed[0]!.candidate);
  out.push({ candidateHash: first, paraId: para, stage, reason });
  for (const bc of removed.slice(1)) {
    out.push({
      candidateHash: candidateHash(bc.candidate),
      paraId: para,
      stage,
      reason: { code: "AncestorDropped", ancestor: first },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Bitfields
// ---------------------------------------------------------------------------------------------

/**
 * `sanitize_bitfields`: drop (individually) bitfields of the wrong length, setting a disputed core,
 * not strictly ascending by validator, out of bounds, or with a bad signature. A disputed bitfield
 * of the wrong length drops everything (a logic error in Rust, handled gracefully). Drops are
 * appended to `dropped` when given.
 */
export function sanitizeBitfields(
  unchecked: readonly SignedAvailabilityBitfield[],
  disputedBitfield: readonly boolean[],
  expectedBits: number,
  parentHash: Hash,
  sessionIndex: SessionIndex,
  nValidators: number,
  verify: VerifySignature,
  dropped?: DroppedBitfield[],
  /** A planted bug (buggify.ts): `skip-bitfield-signature`. */
  bug?: PlantedBug,
): CheckedAvailabilityBitfield[] {
  const drop = (validatorIndex: ValidatorIndex, reason: BitfieldDropReason) =>
    dropped?.push({ validatorIndex, reason });
  if (disputedBitfield.length !== expectedBits) {
    for (const b of unchecked) drop(b.validatorIndex, { code: "DisputedBitfieldLengthMismatch" });
    return [];
  }
  const context = { sessionIndex, parentHash };
  const out: CheckedAvailabilityBitfield[] = [];
  let lastIndex: ValidatorIndex | null = null;
  for (const b of unchecked) {
    if (b.payload.length !== expectedBits) {
      drop(b.validatorIndex, {
        code: "WrongLength",
        expected: expectedBits,
        found: b.payload.length,
      });
      continue;
    }
    if (b.payload.some((bit, i) => bit && disputedBitfield[i])) {
      drop(b.validatorIndex, { code: "DisputedCore" });
      continue;
    }
    if (lastIndex !== null && !(lastIndex < b.validatorIndex)) {
      drop(b.validatorIndex, { code: "NotAscending" });
      continue;
    }
    if (b.validatorIndex >= nValidators) {
      drop(b.validatorIndex, { code: "ValidatorIndexOutOfBounds" });
      continue;
    }
    const payload = bitfieldSigningPayload(b.payload, context);
    if (bug === "skip-bitfield-signature" || verify(b.validatorIndex, payload, b.signature)) {
      out.push({ validatorIndex: b.validatorIndex, payload: b.payload });
    } else {
      drop(b.validatorIndex, { code: "InvalidSignature" });
    }
    // Set even when the signature is bad, as in Rust.
    lastIndex = b.validatorIndex;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Backed candidates
// ---------------------------------------------------------------------------------------------

/** The paras scheduled on the free cores: `eligible_paras` grouped per para. */
export function scheduledCoresPerPara(
  eligible: readonly (readonly [CoreIndex, ParaId])[],
): Map<ParaId, Set<CoreIndex>> {
  const out = new Map<ParaId, Set<CoreIndex>>();
  for (const [core, para] of eligible) {
    const set = out.get(para) ?? new Set<CoreIndex>();
    set.add(core);
    out.set(para, set);
  }
  return out;
}

/**
 * `retain_candidates`: per para keep the prefix of candidates for which `check` returns null,
 * stopping at the first reason; paras left empty are removed. `onDrop` gets the removed suffix
 * (the failing candidate first) and the failing candidate's reason.
 */
export function retainCandidates<C, R>(
  candidatesPerPara: Map<ParaId, C[]>,
  check: (para: ParaId, candidate: C, index: number) => R | null,
  onDrop?: (para: ParaId, removed: C[], reason: R) => void,
): void {
  for (const para of [...candidatesPerPara.keys()].sort((a, b) => a - b)) {
    const candidates = candidatesPerPara.get(para)!;
    for (const [i, c] of candidates.entries()) {
      const reason = check(para, c, i);
      if (reason === null) continue;
      const removed = candidates.splice(i);
      onDrop?.(para, removed, reason);
      break;
    }
    if (candidates.length === 0) candidatesPerPara.delete(para);
  }
}

/** True if the commitments carry something after the UMP separator (a UMP signal). */
function hasUmpSignals(receipt: CommittedCandidateReceipt): boolean {
  const msgs = receipt.commitments.upwardMessages;
  const sep = msgs.findIndex((m) => m.length === 0);
  return sep !== -1 && sep < msgs.length - 1;
}

/**
 * `sanitize_backed_candidate_v2`: V1 descriptors without UMP signals pass (null); otherwise V2
 * receipts must be allowed (`CandidateReceiptV2` node feature), a V2 descriptor must be of the
 * current session, the relay parent must be allowed, and `checkCoreIndex` must accept the receipt
 * against the claim queue stored with that relay parent. Returns why it does not pass, or null.
 */
export function sanitizeBackedCandidateV2(
  state: RelayState,
  candidate: BackedCandidate,
  allowedRelayParents: AllowedRelayParentsTracker,
  allowV2Receipts: boolean,
  checkCoreIndex: CheckCoreIndex,
): CandidateDropReason | null {
  const receipt = candidate.candidate;
  const d = receipt.descriptor;
  const version = descriptorVersion(d);
  if (version === "unknown" && d.kind === "v2")
    return { code: "UnknownVersion", version: d.version };
  if (version === "v1" && !hasUmpSignals(receipt)) return null;
  // It is mandatory to filter these before `filterUnchainedCandidates`, so that V1 descendants
  // of dropped V2 candidates are dropped too.
  if (!allowV2Receipts) return { code: "V2ReceiptsDisabled" };
  // A V1 descriptor has no session index (`session_index()` is None): dropped here in Rust.
  if (d.kind === "v1") return { code: "UMPSignalWithV1Decriptor" };
  const current = state.shared.currentSessionIndex;
  if (d.sessionIndex !== current) {
    return { code: "SessionIndexMismatch", descriptor: d.sessionIndex, current };
  }
  const acquired = acquireInfo(allowedRelayParents, d.relayParent, null);
  if (acquired === null) return { code: "DisallowedRelayParent" };
  const checked = checkCoreIndex(receipt, acquired.info.claimQueue);
  return checked.ok ? null : checked.error;
}

/**
 * `filter_unchained_candidates`: per para, starting from (latest head, most recent context), each
 * candidate must verify on top of the previous one with `prevContext` = the previous relay-parent
 * number; a duplicate candidate hash stops the para.
 */
export function filterUnchainedCandidates(
  state: RelayState,
  candidates: Map<ParaId, BackedCandidate[]>,
  allowedRelayParents: AllowedRelayParentsTracker,
  dropped?: DroppedCandidate[],
): void {
  const latestContext = new Map<ParaId, { head: HeadData; relayParent: number }>();
  for (const para of candidates.keys()) {
    const head = paraLatestHeadData(state, para);
    const relayParent = paraMostRecentContext(state, para);
    // Defensive in Rust: without a head or a context the para's candidates are all dropped.
    if (head === null || relayParent === null) continue;
    latestContext.set(para, { head, relayParent });
  }
  const visited = new Map<ParaId, Set<CandidateHash>>();
  retainCandidates<BackedCandidate, CandidateDropReason>(
    candidates,
    (para, candidate) => {
      const latest = latestContext.get(para);
      if (latest === undefined) return { code: "ParaHeadUnknown" };
      const hash = candidateHash(candidate.candidate);
      const seen = visited.get(para) ?? new Set<CandidateHash>();
      visited.set(para, seen);
      if (seen.has(hash)) return { code: "DuplicateCandidate" };
      seen.add(hash);
      const verified = verifyBackedCandidate(
        state,
        candidateCheckContext(state, latest.relayParent),
        allowedRelayParents,
        candidate.candidate,
        latest.head,
      );
      if (!verified.ok) return verified.error;
      latestContext.set(para, {
        head: candidate.candidate.commitments.headData,
        relayParent: verified.value,
      });
      return null;
    },
    (para, removed, reason) => recordDrops(dropped, "unchained", para, removed, reason),
  );
}

/**
 * `get_injected_core_index`: the core index carried in the validator-indices bitfield, valid only
 * if the remaining bits match the size of the group assigned to that core at `rpn + 1`.
 */
export function getInjectedCoreIndex(
  state: RelayState,
  allowedRelayParents: AllowedRelayParentsTracker,
  candidate: BackedCandidate,
): CoreIndex | null {
  const { validatorIndices, coreIndex } = validatorIndicesAndCoreIndex(candidate, true);
  if (coreIndex === null) return null;
  const group = backingGroupOf(state, allowedRelayParents, candidate, coreIndex);
  return group.ok && group.value.length === validatorIndices.length ? coreIndex : null;
}

/** `get_core_index`: the V2 descriptor's (committed, already checked) core, else the injected one. */
export function getCoreIndex(
  state: RelayState,
  allowedRelayParents: AllowedRelayParentsTracker,
  candidate: BackedCandidate,
): CoreIndex | null {
  const d = candidate.candidate.descriptor;
  if (d.kind === "v2" && descriptorVersion(d) === "v2") return d.coreIndex;
  return getInjectedCoreIndex(state, allowedRelayParents, candidate);
}

/**
 * `map_candidates_to_cores`: unscheduled paras are dropped; one scheduled core and core indices
 * disabled → only the first candidate, on that core; core indices enabled → candidates in order
 * while each one's core is a remaining scheduled core of its para (stop at the first that is not,
 * keeping the prefix); several cores without core indices → all dropped.
 */
export function mapCandidatesToCores(
  state: RelayState,
  allowedRelayParents: AllowedRelayParentsTracker,
  scheduled: ReadonlyMap<ParaId, ReadonlySet<CoreIndex>>,
  coreIndexEnabled: boolean,
  candidates: ReadonlyMap<ParaId, readonly BackedCandidate[]>,
  dropped?: DroppedCandidate[],
): Map<ParaId, [BackedCandidate, CoreIndex][]> {
  const out = new Map<ParaId, [BackedCandidate, CoreIndex][]>();
  const drop = (para: ParaId, removed: readonly BackedCandidate[], reason: CandidateDropReason) =>
    recordDrops(dropped, "cores", para, removed, reason);
  for (const para of [...candidates.keys()].sort((a, b) => a - b)) {
    const backed = candidates.get(para)!;
    if (backed.length === 0) continue;
    const scheduledCores = scheduled.get(para);
    if (scheduledCores === undefined || scheduledCores.size === 0) {
      drop(para, backed, { code: "ParaNotScheduled" });
      continue;
    }
    if (scheduledCores.size === 1 && !coreIndexEnabled) {
      out.set(para, [[backed[0]!, [...scheduledCores][0]!]]);
      for (const extra of backed.slice(1)) drop(para, [extra], { code: "ExceedsScheduledCores" });
      continue;
    }
    if (!coreIndexEnabled) {
      // Several cores but no ElasticScalingMVP: all dropped.
      drop(para, backed, { code: "MultipleCoresWithoutCoreIndex" });
      continue;
    }
    const remaining = new Set(scheduledCores);
    const taken: [BackedCandidate, CoreIndex][] = [];
    for (const [i, candidate] of backed.entries()) {
      if (remaining.size === 0) {
        for (const extra of backed.slice(i)) drop(para, [extra], { code: "ExceedsScheduledCores" });
        break;
      }
      const core = getCoreIndex(state, allowedRelayParents, candidate);
      if (core === null || !remaining.delete(core)) {
        drop(
          para,
          backed.slice(i),
          core === null ? { code: "NoCoreIndex" } : { code: "CoreNotScheduled", core },
        );
        break;
      }
      taken.push([candidate, core]);
    }
    if (taken.length > 0) out.set(para, taken);
  }
  return out;
}

/** The group validators a candidate backed on `core` is checked against (`rpn + 1`). */
function backingGroupOf(
  state: RelayState,
  allowedRelayParents: AllowedRelayParentsTracker,
  bc: BackedCandidate,
  core: CoreIndex,
): Result<readonly ValidatorIndex[], InclusionError> {
  const acquired = acquireInfo(allowedRelayParents, bc.candidate.descriptor.relayParent, null);
  if (acquired === null) return err({ code: "DisallowedRelayParent" });
  const group = groupAssignedToCore(state.scheduler, state.config, core, acquired.number + 1);
  if (group === null) return err({ code: "InvalidAssignment" });
  const vals = groupValidators(state.scheduler, group);
  if (vals === null) return err({ code: "InvalidGroupIndex" });
  return ok(vals);
}

/**
 * `filter_backed_statements_from_disabled_validators`: remove the votes of disabled validators;
 * drop a candidate (and its descendants) left with fewer than the effective minimum.
 */
export function filterBackedStatementsFromDisabledValidators(
  state: RelayState,
  backedWithCore: Map<ParaId, [BackedCandidate, CoreIndex][]>,
  allowedRelayParents: AllowedRelayParentsTracker,
  coreIndexEnabled: boolean,
  dropped?: DroppedCandidate[],
): void {
  const disabled = new Set(state.shared.disabledValidators);
  if (disabled.size === 0) return;
  const minimum = state.config.minimumBackingVotes;
  retainCandidates<[BackedCandidate, CoreIndex], CandidateDropReason>(
    backedWithCore,
    (_para, entry) => {
      const [bc, core] = entry;
      const { validatorIndices, coreIndex } = validatorIndicesAndCoreIndex(bc, coreIndexEnabled);
      const group = backingGroupOf(state, allowedRelayParents, bc, core);
      if (!group.ok) return group.error;
      const vals = group.value;
      // The set bits of disabled members are cleared and their votes removed. Quirk kept from
      // Rust: the votes are removed at the BIT positions (`validity_votes.remove(idx)`, highest
      // first), not at the ordinals of the set bits; a position past the votes panics.
      const dropPositions: number[] = [];
      const indices = validatorIndices.map((bit, i) => {
        const drop = bit && i < vals.length && disabled.has(vals[i]!);
        if (drop) dropPositions.push(i);
        return bit && !drop;
      });
      const votes = [...bc.validityVotes];
      for (const idx of dropPositions.reverse()) {
        ensure(
          idx < votes.length,
          () => `removal index (is ${idx}) should be < len (is ${votes.length})`,
        );
        votes.splice(idx, 1);
      }
      // `set_validator_indices_and_core_index`: the core byte is re-appended if there was one.
      entry[0] = newBackedCandidate(bc.candidate, votes, indices, coreIndex);
      return votes.length >= effectiveMinimumBackingVotes(vals.length, minimum)
        ? null
        : { code: "InsufficientBackingAfterDisabling" };
    },
    (para, removed, reason) =>
      recordDrops(
        dropped,
        "disabledValidators",
        para,
        removed.map(([bc]) => bc),
        reason,
      ),
  );
}

/**
 * DEPARTURE (see the header): drop a candidate (and its descendants) whose backing votes
 * `process_candidates` would reject (`check_backing_votes` against the group assigned to its core
 * at `rpn + 1`), with that error, so the block keeps its other candidates.
 */
export function filterCandidatesWithInvalidBacking(
  state: RelayState,
  backedWithCore: Map<ParaId, [BackedCandidate, CoreIndex][]>,
  allowedRelayParents: AllowedRelayParentsTracker,
  coreIndexEnabled: boolean,
  verify: VerifySignature,
  dropped?: DroppedCandidate[],
  /** A planted bug (buggify.ts), for `check_backing_votes`. */
  bug?: PlantedBug,
): void {
  retainCandidates<[BackedCandidate, CoreIndex], CandidateDropReason>(
    backedWithCore,
    (_para, [bc, core]) => {
      const group = backingGroupOf(state, allowedRelayParents, bc, core);
      if (!group.ok) return group.error;
      const votes = checkBackingVotes(state, bc, group.value, coreIndexEnabled, verify, bug);
      return votes.ok ? null : votes.error;
    },
    (para, removed, reason) =>
      recordDrops(
        dropped,
        "backing",
        para,
        removed.map(([bc]) => bc),
        reason,
      ),
  );
}

/** The inputs of `sanitize_backed_candidates` besides the state and the candidates. */
export interface SanitizeBackedCandidatesParams {
  readonly allowedRelayParents: AllowedRelayParentsTracker;
  readonly concludedInvalidWithDescendants: ReadonlySet<CandidateHash>;
  /** Per para, the free cores it is scheduled on (front of the claim queue). */
  readonly scheduled: ReadonlyMap<ParaId, ReadonlySet<CoreIndex>>;
  /** `ElasticScalingMVP` node feature. */
  readonly coreIndexEnabled: boolean;
  /** `CandidateReceiptV2` node feature. */
  readonly allowV2Receipts: boolean;
  readonly checkCoreIndex: CheckCoreIndex;
  /** When given, every filtered candidate is appended here with its stage and reason. */
  readonly dropped?: DroppedCandidate[];
}

/**
 * `sanitize_backed_candidates`: the backed candidates that survive every filter, per para in chain
 * order, with the core each is backed on.
 */
export function sanitizeBackedCandidates(
  state: RelayState,
  backedCandidates: readonly BackedCandidate[],
  params: SanitizeBackedCandidatesParams,
): Map<ParaId, [BackedCandidate, CoreIndex][]> {
  const allowed = params.allowedRelayParents;
  const dropped = params.dropped;
  const perPara = new Map<ParaId, BackedCandidate[]>();
  for (const candidate of backedCandidates) {
    const para = candidate.candidate.descriptor.paraId;
    const reason = sanitizeBackedCandidateV2(
      state,
      candidate,
      allowed,
      params.allowV2Receipts,
      params.checkCoreIndex,
    );
    if (reason !== null) {
      // Dropped alone: its descendants fail to chain in the next step.
      recordDrops(dropped, "v2", para, [candidate], reason);
      continue;
    }
    const list = perPara.get(para) ?? [];
    list.push(candidate);
    perPara.set(para, list);
  }
  filterUnchainedCandidates(state, perPara, allowed, dropped);
  retainCandidates<BackedCandidate, CandidateDropReason>(
    perPara,
    (_para, c) =>
      params.concludedInvalidWithDescendants.has(candidateHash(c.candidate))
        ? { code: "ConcludedInvalid" }
        : null,
    (para, removed, reason) => recordDrops(dropped, "concludedInvalid", para, removed, reason),
  );
  const withCore = mapCandidatesToCores(
    state,
    allowed,
    params.scheduled,
    params.coreIndexEnabled,
    perPara,
    dropped,
  );
  filterBackedStatementsFromDisabledValidators(
    state,
    withCore,
    allowed,
    params.coreIndexEnabled,
    dropped,
  );
  return withCore;
}
