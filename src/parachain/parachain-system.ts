/**
 * parachain-system's maintenance of the unincluded segment, as pure functions over a small state
 * object: the capacity type and the simple consensus hooks, the associated-relay-number checks,
 * `on_initialize` (fill in the last ancestor's head hash), `maybe_drop_included_ancestors` (the
 * strict capacity check), the go-ahead signal handling of `set_validation_data`, and the
 * `on_finalize` bookkeeping (adjust the egress limits by what the segment uses, clip upward
 * messages, append the block as a new ancestor with its HRMP watermark).
 *
 * Invariants:
 * - Inputs are never mutated; every function returns the new state.
 * - A failed Rust `assert!`/`expect`/`panic!` is a `RuntimePanic` with Rust's message: the block
 *   is invalid and the caller discards its post-state.
 * - Capacity C admits at most C unincluded blocks including the one being built:
 *   after dropping included ancestors, `new_len < capacity` must hold.
 *
 * Ref: cumulus/pallets/parachain-system/src/lib.rs (hooks, set_validation_data,
 *      adjust_egress_bandwidth_limits, CheckAssociatedRelayNumber, SelectCore),
 *      cumulus/pallets/parachain-system/src/consensus_hook.rs,
 *      cumulus/pallets/parachain-system/src/unincluded_segment.rs (newest: the drop moved to
 *      its own module, same logic).
 */
import type { CheckAssociatedRelayNumber } from "../config/parachain-runtime.ts";
import { assert, ensure, panic } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import type { BlockNumber, HeadData } from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";
import {
  Ancestor,
  HrmpWatermarkUpdate,
  type MessagingStateSnapshot,
  type OutboundBandwidthLimits,
  SegmentTracker,
  U32_MAX,
  type UpgradeGoAhead,
  type UsedBandwidth,
} from "./unincluded-segment.ts";

// ---------------------------------------------------------------------------------------------
// UnincludedSegmentCapacity and the simple consensus hooks (consensus_hook.rs)

/** `UnincludedSegmentCapacity`: `Value(NonZeroU32)` or `ExpectParentIncluded`. */
export type UnincludedSegmentCapacity =
  | { readonly kind: "value"; readonly value: number }
  | { readonly kind: "expectParentIncluded" };

export const UnincludedSegmentCapacity = {
  /** `From<NonZeroU32>`. */
  value(n: number): UnincludedSegmentCapacity {
    assert(Number.isInteger(n) && n >= 1 && n <= U32_MAX, () => `not a NonZeroU32: ${n}`);
    return { kind: "value", value: n };
  },

  expectParentIncluded(): UnincludedSegmentCapacity {
    return { kind: "expectParentIncluded" };
  },

  /** `get()`: `Value(n)` → n, `ExpectParentIncluded` → 1. */
  get(self: UnincludedSegmentCapacity): number {
    return self.kind === "value" ? self.value : 1;
  },

  isExpectingIncludedParent(self: UnincludedSegmentCapacity): boolean {
    return self.kind === "expectParentIncluded";
  },
};

/**
 * `ConsensusHook` for hooks that read nothing from the relay state proof. The stateful
 * `FixedVelocityConsensusHook` lives in `consensus-hook.ts` with its state passed explicitly.
 */
export interface ConsensusHook {
  onStateProof(): UnincludedSegmentCapacity;
}

/**
 * `ExpectParentIncluded`: sync-backing compatible; behaves as though the parent is included
 * (capacity 1) and asserts it when the proof carries the included head.
 */
export const ExpectParentIncluded: ConsensusHook = {
  onStateProof: () => UnincludedSegmentCapacity.expectParentIncluded(),
};

/** `FixedCapacityUnincludedSegment<N>`: capacity `max(N, 1)`. */
export function FixedCapacityUnincludedSegment(n: number): ConsensusHook {
  const capacity = UnincludedSegmentCapacity.value(Math.max(n, 1));
  return { onStateProof: () => capacity };
}

/**
 * `RequireParentIncluded = FixedCapacityUnincludedSegment<1>`: capacity `Value(1)`, i.e. NOT
 * `ExpectParentIncluded` (the Rust type alias decides; SEMANTICS.md 3.2.5 says otherwise). The
 * difference: with `Value(1)` a missing included head in the proof panics.
 */
export const RequireParentIncluded: ConsensusHook = FixedCapacityUnincludedSegment(1);

// ---------------------------------------------------------------------------------------------
// CheckAssociatedRelayNumber

/** The `CheckAssociatedRelayNumber` implementations (a runtime constant, in src/config/). */
export type { CheckAssociatedRelayNumber };

/** `check_associated_relay_number(current, previous)`: panics when the rule is broken. */
export function checkAssociatedRelayNumber(
  strategy: CheckAssociatedRelayNumber,
  current: BlockNumber,
  previous: BlockNumber,
): void {
  switch (strategy) {
    case "RelayNumberStrictlyIncreases":
      if (current <= previous)
        panic("Relay chain block number needs to strictly increase between Parachain blocks!");
      return;
    case "RelayNumberMonotonicallyIncreases":
      if (current < previous)
        panic("Relay chain block number needs to monotonically increase between Parachain blocks!");
      return;
    case "AnyRelayNumber":
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// The unincluded segment in storage

/** Storage `UnincludedSegment` (oldest first) and `AggregatedUnincludedSegment`. */
export interface UnincludedSegmentState {
  readonly unincludedSegment: readonly Ancestor[];
  readonly aggregatedUnincludedSegment: SegmentTracker | null;
}

export const EMPTY_UNINCLUDED_SEGMENT: UnincludedSegmentState = {
  unincludedSegment: [],
  aggregatedUnincludedSegment: null,
};

/**
 * The segment part of `on_initialize(n)`: the parent hash was unknown when the last ancestor was
 * pushed in its own `on_finalize`; it is this block's parent hash (the hash of its head data).
 */
export function onInitialize(
  state: UnincludedSegmentState,
  parentHash: Hash,
): UnincludedSegmentState {
  const segment = state.unincludedSegment;
  const last = segment.at(-1);
  if (last === undefined) return state;
  return {
    ...state,
    unincludedSegment: [...segment.slice(0, -1), Ancestor.replaceParaHeadHash(last, parentHash)],
  };
}

function assertEqMessage(left: string, right: string, message: string): string {
  return `assertion \`left == right\` failed: ${message}\n  left: ${left}\n right: ${right}`;
}

/**
 * `maybe_drop_included_ancestors`: drop the included ancestor and everything before it, subtract
 * them from the aggregate, then check there is room for the current block.
 *
 * `includedParaHead` is the para head the relay-chain state proof holds (`Paras::Heads`), or null
 * when the proof lacks it; its hash is blake2b-256 of the head data. Panics, as in Rust:
 * "expected parent to be included", "included head not present in relay storage proof",
 * "para head hash is updated during block initialization; qed" and
 * "No space left for the block in the unincluded segment: new_len(..) < capacity(..)".
 */
export function maybeDropIncludedAncestors(
  segment: readonly Ancestor[],
  aggregated: SegmentTracker | null,
  includedParaHead: HeadData | null,
  parentHash: Hash,
  capacity: UnincludedSegmentCapacity,
): UnincludedSegmentState {
  const paraHead = includedParaHead === null ? null : hashHex(includedParaHead);
  let includedHead: Hash;
  if (paraHead !== null) {
    if (UnincludedSegmentCapacity.isExpectingIncludedParent(capacity)) {
      ensure(paraHead === parentHash, () =>
        assertEqMessage(paraHead, parentHash, "expected parent to be included"),
      );
    }
    includedHead = paraHead;
  } else if (UnincludedSegmentCapacity.isExpectingIncludedParent(capacity)) {
    // A workaround in Rust for collators that do not put the included head in the proof.
    includedHead = parentHash;
  } else {
    panic("included head not present in relay storage proof");
  }

  // `position` evaluates ancestors in order and stops at the first match; an ancestor without a
  // head hash before that is Rust's `expect` failing.
  let dropCount = 0;
  for (const [i, block] of segment.entries()) {
    ensure(
      block.paraHeadHash !== null,
      "para head hash is updated during block initialization; qed",
    );
    if (block.paraHeadHash === includedHead) {
      dropCount = i + 1; // inclusive
      break;
    }
  }
  const dropped = segment.slice(0, dropCount);
  let agg = aggregated;
  if (dropped.length > 0) {
    ensure(agg !== null, "dropped part of the segment wasn't empty, hence value exists; qed");
    for (const block of dropped) agg = SegmentTracker.subtract(agg, block);
  }
  const newLen = segment.length - dropped.length;
  const cap = UnincludedSegmentCapacity.get(capacity);
  ensure(
    newLen < cap,
    () =>
      `No space left for the block in the unincluded segment: new_len(${newLen}) < capacity(${cap})`,
  );
  return { unincludedSegment: segment.slice(dropCount), aggregatedUnincludedSegment: agg };
}

/** What `set_validation_data` does with the relay chain's go-ahead signal. */
export type GoAheadAction =
  /** An unincluded ancestor already consumed this signal: nothing to do. */
  | "alreadyProcessed"
  /** `GoAhead`: apply `PendingValidationCode`. */
  | "applyPendingCode"
  /** `Abort`: discard `PendingValidationCode`. */
  | "discardPendingCode"
  | "none";

/**
 * The go-ahead part of `set_validation_data`. If the segment already consumed a signal, the
 * relay's signal must equal it (`assert_eq!`) and is ignored. A `GoAhead` without pending code
 * panics. The caller stores the signal as this block's `UpgradeGoAhead` in every case.
 */
export function processUpgradeGoAheadSignal(
  aggregated: SegmentTracker | null,
  upgradeGoAheadSignal: UpgradeGoAhead | null,
  pendingValidationCodeExists: boolean,
): GoAheadAction {
  const signalInSegment = aggregated?.consumedGoAheadSignal ?? null;
  if (signalInSegment !== null) {
    ensure(
      upgradeGoAheadSignal === signalInSegment,
      () =>
        `assertion \`left == right\` failed\n  left: ${upgradeGoAheadSignal === null ? "None" : `Some(${upgradeGoAheadSignal})`}\n right: Some(${signalInSegment})`,
    );
    return "alreadyProcessed";
  }
  switch (upgradeGoAheadSignal) {
    case "GoAhead":
      ensure(
        pendingValidationCodeExists,
        "No new validation function found in storage, GoAhead signal is not expected",
      );
      return "applyPendingCode";
    case "Abort":
      return "discardPendingCode";
    case null:
      return "none";
  }
}

// ---------------------------------------------------------------------------------------------
// on_finalize

/**
 * `adjust_egress_bandwidth_limits`: reduce the messaging state by what the unincluded segment
 * already uses (channel usage capped at the channel's capacity; channels no longer in the state
 * are skipped; UMP capacity saturates at 0). Without an aggregate, the state is unchanged.
 */
export function adjustEgressBandwidthLimits(
  messagingState: MessagingStateSnapshot,
  aggregated: SegmentTracker | null,
): MessagingStateSnapshot {
  if (aggregated === null) return messagingState;
  const used = aggregated.usedBandwidth;
  const egressChannels = new Map(messagingState.egressChannels);
  for (const [paraId, usedChannel] of used.hrmpOutgoing) {
    const c = egressChannels.get(paraId);
    if (c === undefined) continue; // the channel was closed
    egressChannels.set(paraId, {
      ...c,
      totalSize: Math.min(c.totalSize + usedChannel.totalBytes, c.maxTotalSize),
      msgCount: Math.min(c.msgCount + usedChannel.msgCount, c.maxCapacity),
    });
  }
  const cap = messagingState.relayDispatchQueueRemainingCapacity;
  return {
    ...messagingState,
    egressChannels,
    relayDispatchQueueRemainingCapacity: {
      remainingCount: Math.max(cap.remainingCount - used.umpMsgCount, 0),
      remainingSize: Math.max(cap.remainingSize - used.umpTotalBytes, 0),
    },
  };
}

/**
 * The upward-message part of `on_finalize`: the longest prefix of `PendingUpwardMessages` whose
 * count fits `min(remainingCount, maxUpwardMessageNumPerCandidate)` and whose total size fits
 * `remainingSize` (of the ADJUSTED messaging state). The rest stays pending.
 */
export function takeUpwardMessages(
  pendingUpwardMessages: readonly Uint8Array[],
  remainingCount: number,
  remainingSize: number,
  maxUpwardMessageNumPerCandidate: number,
): {
  readonly sent: readonly Uint8Array[];
  readonly pending: readonly Uint8Array[];
  readonly umpMsgCount: number;
  readonly umpTotalBytes: number;
} {
  const availableCapacity = Math.min(remainingCount, maxUpwardMessageNumPerCandidate);
  let num = 0;
  let totalSize = 0;
  for (const msg of pendingUpwardMessages) {
    const newCap = num + 1;
    const newSize = Math.min(totalSize + msg.length, U32_MAX);
    if (newCap > availableCapacity || newSize > remainingSize) break;
    num = newCap;
    totalSize = newSize;
  }
  return {
    sent: pendingUpwardMessages.slice(0, num),
    pending: pendingUpwardMessages.slice(num),
    umpMsgCount: num,
    umpTotalBytes: totalSize,
  };
}

/** Inputs of the segment update at the end of `on_finalize`. */
export interface OnFinalizeSegmentInput {
  /** What this block sent: UMP count/bytes and per-recipient HRMP (one message each). */
  readonly usedBandwidth: UsedBandwidth;
  /** This block's `UpgradeGoAhead` (the relay signal stored by `set_validation_data`). */
  readonly relayUpgradeGoAhead: UpgradeGoAhead | null;
  /** This block's `HrmpWatermark`. */
  readonly hrmpWatermark: BlockNumber;
  /** `vfp.relay_parent_number`. */
  readonly relayParentNumber: BlockNumber;
  /** `OutboundBandwidthLimits::from_relay_chain_state` of the UNADJUSTED messaging state. */
  readonly totalBandwidthOut: OutboundBandwidthLimits;
}

/**
 * The segment update of `on_finalize`: the block becomes an ancestor (it consumed the go-ahead
 * signal unless an ancestor already did), appended to the aggregate with the watermark
 * `HrmpWatermarkUpdate::new(HrmpWatermark, relay_parent_number)` and pushed to the segment. A
 * bandwidth error panics ("unincluded segment limits exceeded"): messages were clipped to the
 * adjusted limits, so it never happens for a well-formed block.
 */
export function onFinalizeUnincludedSegment(
  state: UnincludedSegmentState,
  input: OnFinalizeSegmentInput,
): UnincludedSegmentState {
  const aggregated = state.aggregatedUnincludedSegment ?? SegmentTracker.default();
  const consumedGoAheadSignal =
    aggregated.consumedGoAheadSignal !== null ? null : input.relayUpgradeGoAhead;
  const ancestor = Ancestor.newUnchecked(input.usedBandwidth, consumedGoAheadSignal);
  const watermarkUpdate = HrmpWatermarkUpdate.new(input.hrmpWatermark, input.relayParentNumber);
  const appended = SegmentTracker.append(
    aggregated,
    ancestor,
    watermarkUpdate,
    input.totalBandwidthOut,
  );
  if (!appended.ok) {
    panic(`unincluded segment limits exceeded: ${JSON.stringify(appended.error)}`);
  }
  return {
    unincludedSegment: [...state.unincludedSegment, ancestor],
    aggregatedUnincludedSegment: appended.value,
  };
}

// ---------------------------------------------------------------------------------------------
// SelectCore (elastic scaling)

/** `(CoreSelector, ClaimQueueOffset)` as `SelectCore` returns it. */
export interface SelectedCore {
  readonly selector: number;
  readonly claimQueueOffset: number;
}

/** The low byte of a block number (`U256::from(n).byte(0)`). */
function lowByte(n: BlockNumber): number {
  return n & 0xff;
}

/** `DefaultCoreSelector`: selector = low byte of the block number, claim queue offset 0. */
export const DefaultCoreSelector = {
  selectedCore: (blockNumber: BlockNumber): SelectedCore => ({
    selector: lowByte(blockNumber),
    claimQueueOffset: 0,
  }),
  selectNextCore: (blockNumber: BlockNumber): SelectedCore => ({
    selector: lowByte(blockNumber + 1),
    claimQueueOffset: 0,
  }),
};

/** `LookaheadCoreSelector`: as the default, with claim queue offset 1. */
export const LookaheadCoreSelector = {
  selectedCore: (blockNumber: BlockNumber): SelectedCore => ({
    selector: lowByte(blockNumber),
    claimQueueOffset: 1,
  }),
  selectNextCore: (blockNumber: BlockNumber): SelectedCore => ({
    selector: lowByte(blockNumber + 1),
    claimQueueOffset: 1,
  }),
};
