/**
 * `applyBlock`: execute one relay-chain block on a copy of the parent's post-state: block
 * initialisation, then `paras_inherent::enter` on the block author's inherent, in polkadot-sdk's
 * order (SEMANTICS.md 2.5):
 *
 *  1. `now` = the block's number; events cleared; `paras::initializer_initialize` (upgrades due
 *     by `now` get their go-ahead signal); the message-queue pallet dispatches upward messages
 *     (SIMPLIFICATION: every message enqueued by earlier blocks is serviced at once, as if the
 *     service weight were unlimited; dispatching does nothing else);
 *  2. allowed relay parents updated with the PARENT block: (parent hash, parent state root, the
 *     claim queue as it stands, `now - 1`, `allowedAncestryLen`);
 *  3. bitfields sanitized (length = availability cores, ascending validators, in bounds, signature
 *     over `(bitvec, SigningContext{session, parent hash})` checked with `ctx.verify` against the
 *     session's validator keys); no disputes, so no disputed cores;
 *  4. `update_pending_availability_and_get_freed_cores`: votes added, each para's available prefix
 *     enacted in chain order (`CandidateIncluded`);
 *  5. `free_timedout` when `availability_timeout_check_required` (`CandidateTimedOut`, a timed-out
 *     candidate takes its descendants with it);
 *  6. occupied cores = cores of the candidates still pending; eligible = front of the claim queue
 *     of every other core;
 *  7. `sanitize_backed_candidates` (with `parse_ump_signals` from the core-selection primitives on
 *     the claim queue stored with each relay parent), then the backing-vote filter (a DEPARTURE,
 *     see `paras-inherent.ts`);
 *  8. `process_candidates` (`CandidateBacked`; the new candidates occupy their cores);
 *  9. `advance_claim_queue(occupied)`: every core not occupied at step 6 pops its front claim
 *     (used by the candidate just backed, or lost) and is refilled; occupied cores keep theirs;
 * 10. `paras::initializer_finalize`: upgrade cooldowns that expired are lifted;
 * 11. a session change the block carries (`block.newSession`: pallet_session rotated in it) is
 *     applied last, as the initializer's `on_finalize` does (`session-change.ts`): the block ran
 *     in the old session, its post-state (the runtime APIs at it, its child) is in the new one.
 *
 * ProvideInherent semantics (the block author's `create_inherent`): invalid bitfields and
 * candidates are filtered out, never a block failure, and the result says what was accepted and
 * what was dropped with the reason, so a checker can compare a node's offer with the runtime's
 * acceptance. Group rotation needs no bookkeeping: it is computed from the session start and
 * `now`. Weight limiting, disputes and rewards are not modelled.
 *
 * Planted bugs (`ctx.buggify`, src/relay/buggify.ts; off unless the command line names one): handed
 * to the one function each patches (sanitizing bitfields, enacting, the timeout, the backing
 * votes); without one, nothing here departs from the above.
 *
 * Invariants: `pre` is never modified (the block runs on a deep copy: `structuredClone` of all
 * but the inclusion state, which `cloneInclusionState` copies); a block must extend its parent
 * (`header.number == pre.now + 1`), else it is a caller bug; an error of `process_candidates`
 * after the filters is a parapipe bug (the filters run the same checks).
 *
 * Ref: polkadot/runtime/parachains/src/paras_inherent/mod.rs (process_inherent_data,
 *      eligible_paras), inclusion/mod.rs, scheduler.rs (advance_claim_queue),
 *      initializer.rs (block initialisation order).
 */
import { FeatureIndex, isNodeFeatureEnabled } from "../config/host-configuration.ts";
import { assert } from "../lib/assert.ts";
import { fromHex, type Hash } from "../lib/hex.ts";
import type { BlockNumber, CoreIndex, ValidatorIndex } from "../primitives/codecs.ts";
import { parseUmpSignals } from "../primitives/core-selection.ts";
import type { ParachainsInherentData } from "../primitives/inherent.ts";
import type { RelayHeader } from "../primitives/runtime-api.ts";
import type { PlantedBug } from "./buggify.ts";
import { makeRelayHeader, relayExtrinsicsRoot, relayStateRoot } from "./header.ts";
import {
  cloneInclusionState,
  freeTimedout,
  getOccupiedCores,
  newInclusionState,
  processCandidates,
  updatePendingAvailabilityAndGetFreedCores,
  type VerifySignature,
} from "./inclusion.ts";
import { processScheduledUpgradeChanges, processScheduledUpgradeCooldowns } from "./paras.ts";
import {
  type DroppedBitfield,
  type DroppedCandidate,
  filterCandidatesWithInvalidBacking,
  sanitizeBackedCandidates,
  sanitizeBitfields,
  scheduledCoresPerPara,
} from "./paras-inherent.ts";
import {
  advanceClaimQueue,
  availabilityTimeoutCheckRequired,
  claimQueueParas,
  eligibleParas,
  groupValidators,
  numAvailabilityCores,
} from "./scheduler.ts";
import { applyNewSession, type SessionChange } from "./session-change.ts";
import { trackerUpdate } from "./shared.ts";
import { assignmentProvider, type RelayEvent, type RelayState } from "./state.ts";
import { dequeueUpwardMessages } from "./ump.ts";

/** What the block author puts in the header before executing the block. */
export interface RelayBlockInput {
  readonly number: BlockNumber;
  readonly parentHash: Hash;
  /** The parent block's (modelled) state root: its header's `stateRoot`. */
  readonly parentStateRoot: Hash;
  /** The BABE slot the block is authored in. */
  readonly slot: number;
  /** A session change applied at the end of the block (pallet_session rotated in it). */
  readonly newSession?: SessionChange;
}

export interface ApplyBlockContext {
  /** Checks a signature (the scenario's `Crypto.verify`, or the simulator's memoised one). */
  readonly verify: (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;
  /** A planted bug (`PARAPIPE_BUGGIFY`, buggify.ts); none: polkadot-sdk's runtime. */
  readonly buggify?: PlantedBug;
}

export interface ApplyBlockResult {
  /** The block's post-state (a new object; `pre` is untouched). */
  readonly post: RelayState;
  /** The block's header, with the modelled roots and hash (`header.ts`). */
  readonly header: RelayHeader;
  /** The block's events in deposit order (the same array as `post.events`). */
  readonly events: readonly RelayEvent[];
  /** The processed inherent, as `create_inherent` returns it: what the block really carries. */
  readonly accepted: ParachainsInherentData;
  /** What was filtered out of the offered inherent, and why. */
  readonly dropped: {
    readonly bitfields: readonly DroppedBitfield[];
    readonly candidates: readonly DroppedCandidate[];
  };
}

export function applyBlock(
  pre: RelayState,
  block: RelayBlockInput,
  inherent: ParachainsInherentData,
  ctx: ApplyBlockContext,
): ApplyBlockResult {
  assert(
    block.number === pre.now + 1,
    () => `block ${block.number} does not extend the state of block ${pre.now}`,
  );
  // The pre-state's events are not carried over, and its inclusion state has a cheaper copy.
  const state = structuredClone({ ...pre, inclusion: newInclusionState(), events: [] });
  state.inclusion = cloneInclusionState(pre.inclusion);
  const now = block.number;
  const config = state.config;

  // Block initialisation.
  state.now = now;
  processScheduledUpgradeChanges(state.paras, now);
  // The message-queue pallet services the upward queues (modelled: all of them, see the header).
  for (const para of [...state.ump.upwardQueues.keys()].sort((a, b) => a - b)) {
    dequeueUpwardMessages(state.ump, para, Number.POSITIVE_INFINITY);
  }

  // `enter`: first of all, the allowed relay parents.
  trackerUpdate(
    state.shared.allowedRelayParents,
    block.parentHash,
    block.parentStateRoot,
    claimQueueParas(state.scheduler),
    now - 1,
    config.asyncBackingParams.allowedAncestryLen,
  );
  const allowed = state.shared.allowedRelayParents;
  const verify = verifierFor(state, ctx);
  const bug = ctx.buggify;
  const nValidators = state.shared.activeValidatorKeys.length;

  // Availability.
  const expectedBits = numAvailabilityCores(state.scheduler);
  const droppedBitfields: DroppedBitfield[] = [];
  const bitfields = sanitizeBitfields(
    inherent.bitfields,
    new Array<boolean>(expectedBits).fill(false),
    expectedBits,
    block.parentHash,
    state.shared.currentSessionIndex,
    nValidators,
    verify,
    droppedBitfields,
    bug,
  );
  updatePendingAvailabilityAndGetFreedCores(state, nValidators, bitfields, bug);
  // PLANTED BUG `never-time-out`: `free_timedout` is never called.
  if (bug !== "never-time-out" && availabilityTimeoutCheckRequired(state.scheduler, config, now))
    freeTimedout(state);

  // Backing.
  const occupied = new Set<CoreIndex>(getOccupiedCores(state).map(([core]) => core));
  const eligible = eligibleParas(state.scheduler, occupied);
  const coreIndexEnabled = isNodeFeatureEnabled(
    config.nodeFeatures,
    FeatureIndex.ElasticScalingMVP,
  );
  const droppedCandidates: DroppedCandidate[] = [];
  const backedWithCore = sanitizeBackedCandidates(state, inherent.backedCandidates, {
    allowedRelayParents: allowed,
    concludedInvalidWithDescendants: new Set(),
    scheduled: scheduledCoresPerPara(eligible),
    coreIndexEnabled,
    allowV2Receipts: isNodeFeatureEnabled(config.nodeFeatures, FeatureIndex.CandidateReceiptV2),
    checkCoreIndex: parseUmpSignals,
    dropped: droppedCandidates,
  });
  filterCandidatesWithInvalidBacking(
    state,
    backedWithCore,
    allowed,
    coreIndexEnabled,
    verify,
    droppedCandidates,
    bug,
  );
  const count = [...backedWithCore.values()].reduce((n, list) => n + list.length, 0);
  assert(count <= eligible.length, () => `${count} candidates for ${eligible.length} free cores`);
  const processed = processCandidates(
    state,
    allowed,
    backedWithCore,
    (group) => groupValidators(state.scheduler, group),
    coreIndexEnabled,
    verify,
    bug,
  );
  assert(processed.ok, () => `process_candidates after sanitization: ${JSON.stringify(processed)}`);

  // Cores still occupied before the new candidates keep their claim; all others advance.
  advanceClaimQueue(state.scheduler, config, assignmentProvider(state), occupied);

  // Block finalisation.
  processScheduledUpgradeCooldowns(state.paras, now);
  if (block.newSession !== undefined) applyNewSession(state, block.newSession);

  // The processed inherent: candidates per para ascending, in chain order (Rust folds the
  // `BTreeMap<ParaId, ...>`); the bitfields that passed, as offered (a subsequence, in order).
  const acceptedCandidates = [...backedWithCore.keys()]
    .sort((a, b) => a - b)
    .flatMap((para) => backedWithCore.get(para)!.map(([bc]) => bc));
  let next = 0;
  const acceptedBitfields = inherent.bitfields.filter((b) => {
    const c = bitfields[next];
    if (c === undefined || c.validatorIndex !== b.validatorIndex || c.payload !== b.payload) {
      return false;
    }
    next++;
    return true;
  });
  const header = makeRelayHeader({
    number: now,
    parentHash: block.parentHash,
    stateRoot: relayStateRoot(state, block.parentHash, block.slot),
    extrinsicsRoot: relayExtrinsicsRoot(acceptedBitfields, acceptedCandidates),
    slot: block.slot,
  });
  return {
    post: state,
    header,
    events: state.events,
    accepted: { bitfields: acceptedBitfields, backedCandidates: acceptedCandidates, disputes: [] },
    dropped: { bitfields: droppedBitfields, candidates: droppedCandidates },
  };
}

/**
 * `VerifySignature` over the session's validator keys. Each key is decoded at most once per block
 * (a block checks up to one bitfield per validator plus the backing votes), into an array owned
 * by this call: the keys live in the state as hex, and the state is a fresh copy every block, so
 * there is no stable object to remember decoded keys by across blocks (and at most one decode
 * per validator, 32 bytes each, costs nothing next to the block). A key is thus a new byte array
 * in every block: a `ctx.verify` that memoises must compare keys by content (the simulator's does).
 */
function verifierFor(state: RelayState, ctx: ApplyBlockContext): VerifySignature {
  const keys = state.shared.activeValidatorKeys;
  const decoded: (Uint8Array | undefined)[] = new Array(keys.length);
  return (validator: ValidatorIndex, payload: Uint8Array, signature: Uint8Array) => {
    const hex = keys[validator];
    if (hex === undefined) return false;
    let key = decoded[validator];
    if (key === undefined) {
      key = fromHex(hex);
      decoded[validator] = key;
    }
    return ctx.verify(payload, signature, key);
  };
}
