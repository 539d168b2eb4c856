/**
 * The parachains inherent's filtering: bitfield sanitization and `sanitize_backed_candidates`.
 *
 * Invariant kept by every filter: per para, candidates are in chain (dependency) order, and
 * whenever one is dropped ALL later candidates of the same para are dropped too
 * (`retainCandidates` keeps the longest valid prefix). Steps of `sanitizeBackedCandidates`:
 * 1. descriptor-version / UMP-signal checks (`sanitizeBackedCandidateV2`; a drop here also drops
 *    the descendants in step 2, since they no longer chain);
 * 2. `filterUnchainedCandidates` (duplicates stop a para; each candidate must verify on top of the
 *    previous one, relay parents non-decreasing from the para's most recent context);
 * 3. concluded-invalid candidates (and descendants);
 * 4. `mapCandidatesToCores` (single core without core indices: first candidate only; with core
 *    indices enabled: each candidate's core must be a remaining scheduled core of its para);
 * 5. backing votes of disabled validators removed; too few votes left drops the candidate.
 *
 * Core selection from UMP signals is injected (`CheckCoreIndex`, i.e. polkadot-sdk's
 * `check_core_index` on the claim queue stored with the relay parent): only success matters here.
 * The core a candidate is mapped to is its V2 descriptor's `coreIndex` (checked by that function)
 * or, for V1 descriptors, the core index injected in the validator-indices bitfield.
 * The version pinned is the one where the tracker stores the claim queue per relay parent (V2
 * descriptors need the current session; no separate `cq_offset == now - rpn - 1` check).
 *
 * State style: pure over the given state (nothing is mutated); inputs are not modified.
 *
 * Ref: polkadot/runtime/parachains/src/paras_inherent/mod.rs.
 */
import { compact, Struct, u32 } from "scale-ts";
import { ensure } from "../lib/assert.ts";
import { concatBytes, type Hash, type Hex } from "../lib/hex.ts";
import type { Result } from "../lib/result.ts";
import type { TransposedClaimQueue } from "../primitives/claim-queue.ts";
import {
  type CandidateHash,
  type CommittedCandidateReceipt,
  type CoreIndex,
  descriptorVersion,
  H256,
  type HeadData,
  type ParaId,
  type SessionIndex,
  type ValidatorIndex,
} from "../primitives/codecs.ts";
import { effectiveMinimumBackingVotes } from "../primitives/thresholds.ts";
import {
  type BackedCandidate,
  type CheckedAvailabilityBitfield,
  candidateCheckContext,
  candidateHash,
  paraLatestHeadData,
  paraMostRecentContext,
  type VerifySignature,
  validatorIndicesAndCoreIndex,
  verifyBackedCandidate,
} from "./inclusion.ts";
import { groupAssignedToCore, groupValidators } from "./scheduler.ts";
import { type AllowedRelayParentsTracker, acquireInfo } from "./shared.ts";
import type { RelayState } from "./state.ts";

/** `check_core_index` (from the core-selection primitives), injected; only `ok` matters. */
export type CheckCoreIndex = (
  receipt: CommittedCandidateReceipt,
  transposedClaimQueue: TransposedClaimQueue,
) => Result<unknown, unknown>;

// ---------------------------------------------------------------------------------------------
// Bitfields
// ---------------------------------------------------------------------------------------------

/** `UncheckedSignedAvailabilityBitfield`: bit i = core i. */
export interface UncheckedSignedAvailabilityBitfield {
  readonly payload: readonly boolean[];
  readonly validatorIndex: ValidatorIndex;
  readonly signature: Hex;
}

/** SCALE encoding of `BitVec<u8, Lsb0>`: compact bit length, then the bytes, LSB first. */
export function encodeBitVec(bits: readonly boolean[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => {
    if (b) bytes[i >> 3]! |= 1 << (i & 7);
  });
  return concatBytes(compact.enc(bits.length), bytes);
}

const SigningContextCodec = Struct({ sessionIndex: u32, parentHash: H256 });

/** `Signed::payload_data` of an availability bitfield: `(bitfield, SigningContext).encode()`. */
export function bitfieldSigningPayload(
  payload: readonly boolean[],
  sessionIndex: SessionIndex,
  parentHash: Hash,
): Uint8Array {
  return concatBytes(encodeBitVec(payload), SigningContextCodec.enc({ sessionIndex, parentHash }));
}

/**
 * `sanitize_bitfields`: drop (individually) bitfields of the wrong length, setting a disputed core,
 * not strictly ascending by validator, out of bounds, or with a bad signature. A disputed bitfield
 * of the wrong length drops everything (a logic error in Rust, handled gracefully).
 */
export function sanitizeBitfields(
  unchecked: readonly UncheckedSignedAvailabilityBitfield[],
  disputedBitfield: readonly boolean[],
  expectedBits: number,
  parentHash: Hash,
  sessionIndex: SessionIndex,
  nValidators: number,
  verify: VerifySignature,
): CheckedAvailabilityBitfield[] {
  if (disputedBitfield.length !== expectedBits) return [];
  const out: CheckedAvailabilityBitfield[] = [];
  let lastIndex: ValidatorIndex | null = null;
  for (const b of unchecked) {
    if (b.payload.length !== expectedBits) continue;
    if (b.payload.some((bit, i) => bit && disputedBitfield[i])) continue;
    if (lastIndex !== null && !(lastIndex < b.validatorIndex)) continue;
    if (b.validatorIndex >= nValidators) continue;
    const payload = bitfieldSigningPayload(b.payload, sessionIndex, parentHash);
    if (verify(b.validatorIndex, payload, b.signature)) {
      out.push({ validatorIndex: b.validatorIndex, payload: b.payload });
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
 * `retain_candidates`: per para keep the prefix of candidates passing `pred` (stopping at the first
 * failure); paras left empty are removed.
 */
export function retainCandidates<C>(
  candidatesPerPara: Map<ParaId, C[]>,
  pred: (para: ParaId, candidate: C, index: number) => boolean,
): void {
  for (const para of [...candidatesPerPara.keys()].sort((a, b) => a - b)) {
    const candidates = candidatesPerPara.get(para)!;
    let kept = 0;
    for (const [i, c] of candidates.entries()) {
      if (!pred(para, c, i)) break;
      kept = i + 1;
    }
    candidates.length = kept;
    if (kept === 0) candidatesPerPara.delete(para);
  }
}

/** True if the commitments carry something after the UMP separator (a UMP signal). */
function hasUmpSignals(receipt: CommittedCandidateReceipt): boolean {
  const msgs = receipt.commitments.upwardMessages;
  const sep = msgs.findIndex((m) => m.length === 0);
  return sep !== -1 && sep < msgs.length - 1;
}

/**
 * `sanitize_backed_candidate_v2`: V1 descriptors without UMP signals pass; otherwise V2 receipts
 * must be allowed (`CandidateReceiptV2` node feature), a V2 descriptor must be of the current
 * session, the relay parent must be allowed, and `checkCoreIndex` must accept the receipt against
 * the claim queue stored with that relay parent.
 */
export function sanitizeBackedCandidateV2(
  state: RelayState,
  candidate: BackedCandidate,
  allowedRelayParents: AllowedRelayParentsTracker,
  allowV2Receipts: boolean,
  checkCoreIndex: CheckCoreIndex,
): boolean {
  const receipt = candidate.candidate;
  const version = descriptorVersion(receipt.descriptor);
  if (version === "unknown") return false;
  if (version === "v1" && !hasUmpSignals(receipt)) return true;
  // It is mandatory to filter these before `filterUnchainedCandidates`, so that V1 descendants
  // of dropped V2 candidates are dropped too.
  if (!allowV2Receipts) return false;
  if (
    receipt.descriptor.kind === "v2" &&
    receipt.descriptor.sessionIndex !== state.shared.currentSessionIndex
  ) {
    return false;
  }
  const acquired = acquireInfo(allowedRelayParents, receipt.descriptor.relayParent, null);
  if (acquired === null) return false;
  return checkCoreIndex(receipt, acquired.info.claimQueue).ok;
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
  retainCandidates(candidates, (para, candidate) => {
    const latest = latestContext.get(para);
    if (latest === undefined) return false;
    const hash = candidateHash(candidate.candidate);
    const seen = visited.get(para) ?? new Set<CandidateHash>();
    visited.set(para, seen);
    if (seen.has(hash)) return false;
    seen.add(hash);
    const verified = verifyBackedCandidate(
      state,
      candidateCheckContext(state, latest.relayParent),
      allowedRelayParents,
      candidate.candidate,
      latest.head,
    );
    if (!verified.ok) return false;
    latestContext.set(para, {
      head: candidate.candidate.commitments.headData,
      relayParent: verified.value,
    });
    return true;
  });
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
  const acquired = acquireInfo(
    allowedRelayParents,
    candidate.candidate.descriptor.relayParent,
    null,
  );
  if (acquired === null) return null;
  const group = groupAssignedToCore(state.scheduler, state.config, coreIndex, acquired.number + 1);
  if (group === null) return null;
  const vals = groupValidators(state.scheduler, group);
  if (vals === null) return null;
  return vals.length === validatorIndices.length ? coreIndex : null;
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
): Map<ParaId, [BackedCandidate, CoreIndex][]> {
  const out = new Map<ParaId, [BackedCandidate, CoreIndex][]>();
  for (const para of [...candidates.keys()].sort((a, b) => a - b)) {
    const backed = candidates.get(para)!;
    if (backed.length === 0) continue;
    const scheduledCores = scheduled.get(para);
    if (scheduledCores === undefined || scheduledCores.size === 0) continue;
    if (scheduledCores.size === 1 && !coreIndexEnabled) {
      out.set(para, [[backed[0]!, [...scheduledCores][0]!]]);
      continue;
    }
    if (!coreIndexEnabled) continue; // several cores but no ElasticScalingMVP: all dropped
    const remaining = new Set(scheduledCores);
    const taken: [BackedCandidate, CoreIndex][] = [];
    for (const candidate of backed) {
      if (remaining.size === 0) break;
      const core = getCoreIndex(state, allowedRelayParents, candidate);
      if (core === null || !remaining.delete(core)) break;
      taken.push([candidate, core]);
    }
    if (taken.length > 0) out.set(para, taken);
  }
  return out;
}

/** `set_validator_indices_and_core_index`: new indices, re-appending the core byte if any. */
function withValidatorIndices(
  bc: BackedCandidate,
  indices: readonly boolean[],
  coreIndex: CoreIndex | null,
  votes: BackedCandidate["validityVotes"],
): BackedCandidate {
  const bits = [...indices];
  if (coreIndex !== null) for (let i = 0; i < 8; i++) bits.push(((coreIndex >> i) & 1) === 1);
  return { candidate: bc.candidate, validityVotes: votes, validatorIndices: bits };
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
): void {
  const disabled = new Set(state.shared.disabledValidators);
  if (disabled.size === 0) return;
  const minimum = state.config.minimumBackingVotes;
  retainCandidates(backedWithCore, (_para, entry) => {
    const [bc, core] = entry;
    const { validatorIndices, coreIndex } = validatorIndicesAndCoreIndex(bc, coreIndexEnabled);
    const acquired = acquireInfo(allowedRelayParents, bc.candidate.descriptor.relayParent, null);
    if (acquired === null) return false;
    const group = groupAssignedToCore(state.scheduler, state.config, core, acquired.number + 1);
    if (group === null) return false;
    const vals = groupValidators(state.scheduler, group);
    if (vals === null) return false;
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
    entry[0] = withValidatorIndices(bc, indices, coreIndex, votes);
    return votes.length >= effectiveMinimumBackingVotes(vals.length, minimum);
  });
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
  const perPara = new Map<ParaId, BackedCandidate[]>();
  for (const candidate of backedCandidates) {
    if (
      !sanitizeBackedCandidateV2(
        state,
        candidate,
        allowed,
        params.allowV2Receipts,
        params.checkCoreIndex,
      )
    ) {
      continue;
    }
    const para = candidate.candidate.descriptor.paraId;
    const list = perPara.get(para) ?? [];
    list.push(candidate);
    perPara.set(para, list);
  }
  filterUnchainedCandidates(state, perPara, allowed);
  retainCandidates(
    perPara,
    (_para, c) => !params.concludedInvalidWithDescendants.has(candidateHash(c.candidate)),
  );
  const withCore = mapCandidatesToCores(
    state,
    allowed,
    params.scheduled,
    params.coreIndexEnabled,
    perPara,
  );
  filterBackedStatementsFromDisabledValidators(state, withCore, allowed, params.coreIndexEnabled);
  return withCore;
}
