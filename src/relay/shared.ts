/**
 * The shared pallet's allowed-relay-parents tracker (G2 generation, with the duplicate check and
 * the transposed claim queue stored per relay parent).
 *
 * The tracker is a ring of the most recent relay parents, oldest first; the block number of each
 * is derived from its position and `latestNumber`. `paras_inherent::enter` pushes the parent block
 * (number `now - 1`) each block; on a session change the buffer is cleared, so relay parents of an
 * earlier session are never allowed (a candidate with relay parent R is backed by the group
 * assigned at `number(R) + 1`, which must be in the current session).
 *
 * State style (all of `src/relay`): plain data (arrays, Maps) mutated in place by the functions of
 * the owning module; callers that need a pre-state keep a `structuredClone`.
 *
 * Invariants: `buffer.length <= maxAncestryLen + 1` after every `trackerUpdate`; no relay parent
 * appears twice; when the buffer is empty `latestNumber` is meaningless.
 *
 * Ref: polkadot/runtime/parachains/src/shared.rs (AllowedRelayParentsTracker, G2),
 *      polkadot/runtime/parachains/src/shared/tests.rs.
 */
import { assert, ensure } from "../lib/assert.ts";
import type { Hash, Hex } from "../lib/hex.ts";
import {
  type ClaimQueueSnapshot,
  type TransposedClaimQueue,
  transposeClaimQueue,
} from "../primitives/claim-queue.ts";
import type { BlockNumber, SessionIndex, ValidatorIndex } from "../primitives/codecs.ts";

/** `RelayParentInfo`: what the runtime remembers about an allowed relay parent. */
export interface RelayParentInfo {
  readonly relayParent: Hash;
  readonly stateRoot: Hash;
  /** The claim queue at that relay parent, transposed (`para -> depth -> cores`). */
  readonly claimQueue: TransposedClaimQueue;
}

export interface AllowedRelayParentsTracker {
  /** Oldest first; the newest relay parent is at the back. */
  buffer: RelayParentInfo[];
  /** Number of the newest relay parent (meaningless while the buffer is empty). */
  latestNumber: BlockNumber;
}

export function newAllowedRelayParentsTracker(): AllowedRelayParentsTracker {
  return { buffer: [], latestNumber: 0 };
}

/**
 * `update`: add a relay parent (ignored if already present), then drop the oldest entries beyond
 * `maxAncestryLen + 1` ("+1 for the most recent block, which is always allowed").
 */
export function trackerUpdate(
  tracker: AllowedRelayParentsTracker,
  relayParent: Hash,
  stateRoot: Hash,
  claimQueue: ClaimQueueSnapshot,
  number: BlockNumber,
  maxAncestryLen: number,
): void {
  if (tracker.buffer.some((info) => info.relayParent === relayParent)) return;
  const bufferSizeLimit = maxAncestryLen + 1;
  tracker.buffer.push({ relayParent, stateRoot, claimQueue: transposeClaimQueue(claimQueue) });
  tracker.latestNumber = number;
  while (tracker.buffer.length > bufferSizeLimit) tracker.buffer.shift();
}

/**
 * `acquire_info`: the info and block number of an allowed relay parent, or null if it is not in the
 * buffer or if it would move backwards relative to `prev` (equal is allowed).
 */
export function acquireInfo(
  tracker: AllowedRelayParentsTracker,
  relayParent: Hash,
  prev: BlockNumber | null,
): { readonly info: RelayParentInfo; readonly number: BlockNumber } | null {
  const pos = tracker.buffer.findIndex((info) => info.relayParent === relayParent);
  if (pos === -1) return null;
  const age = tracker.buffer.length - 1 - pos;
  const number = tracker.latestNumber - age;
  if (prev !== null && prev > number) return null;
  return { info: tracker.buffer[pos]!, number };
}

/**
 * `hypothetical_earliest_block_number`: the number of the oldest block the buffer would hold if
 * `now` were pushed into it; the runtime API's `min_relay_parent_number`.
 */
export function hypotheticalEarliestBlockNumber(
  tracker: AllowedRelayParentsTracker,
  now: BlockNumber,
  maxAncestryLen: number,
): BlockNumber {
  const allowedAncestryLen = Math.min(maxAncestryLen, tracker.buffer.length);
  // BlockNumber is unsigned in Rust: an underflow there is an arithmetic panic.
  ensure(now >= allowedAncestryLen, "attempt to subtract with overflow");
  return now - allowedAncestryLen;
}

/** `initializer_on_new_session`: the buffer is dropped on every session change. */
export function trackerOnNewSession(tracker: AllowedRelayParentsTracker): void {
  tracker.buffer.length = 0;
}

/** The rest of the shared pallet: session index and the active validator set. */
export interface SharedState {
  currentSessionIndex: SessionIndex;
  /** Indices into the session's full validator set, in shuffled order (`ActiveValidatorIndices`). */
  activeValidatorIndices: number[];
  /** Parachain keys of the active validators (`ActiveValidatorKeys`); position = `ValidatorIndex`. */
  activeValidatorKeys: Hex[];
  /** Active validators disabled by the session pallet (`disabled_validators()`). */
  disabledValidators: ValidatorIndex[];
  allowedRelayParents: AllowedRelayParentsTracker;
}

export function newSharedState(): SharedState {
  return {
    currentSessionIndex: 0,
    activeValidatorIndices: [],
    activeValidatorKeys: [],
    disabledValidators: [],
    allowedRelayParents: newAllowedRelayParentsTracker(),
  };
}

/** `SESSION_DELAY`: configuration and para changes apply two sessions later. */
export const SESSION_DELAY = 2;

/** `scheduled_session`: the session index at which scheduled changes apply. */
export function scheduledSession(shared: SharedState): SessionIndex {
  return shared.currentSessionIndex + SESSION_DELAY;
}

/**
 * `initializer_on_new_session`: clear the allowed relay parents, record the session, and take the
 * active subset of `allValidators` in the given shuffled order (truncated to `maxValidators`).
 * The shuffle itself (ChaCha20 seeded by the session's randomness) is the caller's: pass the
 * permutation of `0..allValidators.length`. Returns the active validator keys.
 */
export function sharedOnNewSession(
  shared: SharedState,
  sessionIndex: SessionIndex,
  allValidators: readonly Hex[],
  shuffledIndices: readonly number[],
  maxValidators: number | null,
): Hex[] {
  trackerOnNewSession(shared.allowedRelayParents);
  shared.currentSessionIndex = sessionIndex;
  const indices =
    maxValidators === null ? [...shuffledIndices] : shuffledIndices.slice(0, maxValidators);
  shared.activeValidatorIndices = indices;
  shared.activeValidatorKeys = indices.map((i) => {
    const key = allValidators[i];
    assert(key !== undefined, () => `shuffled validator index ${i} out of range`);
    return key;
  });
  shared.disabledValidators = [];
  return shared.activeValidatorKeys;
}
