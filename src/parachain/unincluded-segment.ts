/**
 * The unincluded segment's bandwidth bookkeeping: what the parachain's blocks that are authored
 * but not yet included on the relay chain have used of the relay chain's message limits (UMP
 * queue, outbound HRMP channels), their HRMP watermark and the go-ahead signal one of them
 * consumed.
 *
 * Invariants:
 * - Values are immutable: `append` returns a new value (or the error, the input unchanged), and
 *   `subtract` returns a new value, so a block's post-state never aliases its pre-state (the
 *   simulator forks parachain state per block).
 * - Maps keyed by `ParaId` iterate in ascending key order (Rust's `BTreeMap`); every map built
 *   here is built in that order.
 * - Counters are u32: additions saturate at u32::MAX as in Rust; a subtraction below zero is
 *   Rust's overflow panic ("attempt to subtract with overflow").
 * - Bandwidth checks: UMP messages, then UMP bytes, then each HRMP channel in ascending para id
 *   order, messages before bytes. The "submitted" values are cumulative (the segment total with
 *   the new block); equality with the limit is allowed.
 * - The watermark rule is the newer one: only a `Trunk` watermark below the current one is an
 *   error (`new < current`); `Head` is always accepted.
 *
 * Ref: cumulus/pallets/parachain-system/src/unincluded_segment.rs
 */
import { ensure } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { BlockNumber, ParaId } from "../primitives/codecs.ts";

export const U32_MAX = 0xffff_ffff;

function saturatingAdd(a: number, b: number): number {
  return Math.min(a + b, U32_MAX);
}

function checkedSub(a: number, b: number): number {
  // Rust's `-=` on u32 (debug builds and tests): underflow is a panic.
  ensure(a >= b, "attempt to subtract with overflow");
  return a - b;
}

/** Keys of a para-keyed map in ascending order (Rust's `BTreeMap` iteration order). */
function sortedKeys<V>(map: ReadonlyMap<ParaId, V>): ParaId[] {
  return [...map.keys()].sort((a, b) => a - b);
}

/** A copy of `map` whose insertion order is ascending by key. */
function sortedMap<V>(map: ReadonlyMap<ParaId, V>): Map<ParaId, V> {
  return new Map(sortedKeys(map).map((k) => [k, map.get(k)!]));
}

/** `relay_chain::UpgradeGoAhead`. */
export type UpgradeGoAhead = "GoAhead" | "Abort";

/** Rust's `Debug` of an `Option<UpgradeGoAhead>`, for assertion messages. */
function debugSignal(s: UpgradeGoAhead | null): string {
  return s === null ? "None" : `Some(${s})`;
}

// ---------------------------------------------------------------------------------------------
// Limits

/** `HrmpOutboundLimits`: constraints on one outbound HRMP channel. */
export interface HrmpOutboundLimits {
  readonly bytesRemaining: number;
  readonly messagesRemaining: number;
}

/** `OutboundBandwidthLimits`: the total bandwidth the whole unincluded segment may use. */
export interface OutboundBandwidthLimits {
  readonly umpMessagesRemaining: number;
  readonly umpBytesRemaining: number;
  readonly hrmpOutgoing: ReadonlyMap<ParaId, HrmpOutboundLimits>;
}

/** `AbridgedHrmpChannel` (relay-chain state of one HRMP channel). */
export interface AbridgedHrmpChannel {
  readonly maxCapacity: number;
  readonly maxTotalSize: number;
  readonly maxMessageSize: number;
  readonly msgCount: number;
  readonly totalSize: number;
  readonly mqcHead?: Hash | null;
}

/** `RelayDispatchQueueRemainingCapacity`. */
export interface RelayDispatchQueueRemainingCapacity {
  readonly remainingCount: number;
  readonly remainingSize: number;
}

/**
 * `MessagingStateSnapshot`, the parts the unincluded segment reads: the relay dispatch (UMP) queue
 * capacity and the egress channels (`Vec<(ParaId, AbridgedHrmpChannel)>` sorted by para id in
 * Rust, a map here).
 */
export interface MessagingStateSnapshot {
  readonly relayDispatchQueueRemainingCapacity: RelayDispatchQueueRemainingCapacity;
  readonly egressChannels: ReadonlyMap<ParaId, AbridgedHrmpChannel>;
}

export const OutboundBandwidthLimits = {
  /** `from_relay_chain_state`: the total limits across the entire unincluded segment. */
  fromRelayChainState(messagingState: MessagingStateSnapshot): OutboundBandwidthLimits {
    const { remainingCount, remainingSize } = messagingState.relayDispatchQueueRemainingCapacity;
    const hrmpOutgoing = new Map<ParaId, HrmpOutboundLimits>();
    for (const id of sortedKeys(messagingState.egressChannels)) {
      const channel = messagingState.egressChannels.get(id)!;
      hrmpOutgoing.set(id, {
        bytesRemaining: Math.max(channel.maxTotalSize - channel.totalSize, 0),
        messagesRemaining: Math.max(channel.maxCapacity - channel.msgCount, 0),
      });
    }
    return {
      umpMessagesRemaining: remainingCount,
      umpBytesRemaining: remainingSize,
      hrmpOutgoing,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Errors

/** `BandwidthUpdateError`, struct variants with their Rust field names camel-cased. */
export type BandwidthUpdateError =
  | {
      readonly code: "HrmpMessagesOverflow";
      readonly recipient: ParaId;
      readonly messagesRemaining: number;
      readonly messagesSubmitted: number;
    }
  | {
      readonly code: "HrmpBytesOverflow";
      readonly recipient: ParaId;
      readonly bytesRemaining: number;
      readonly bytesSubmitted: number;
    }
  | {
      readonly code: "UmpMessagesOverflow";
      readonly messagesRemaining: number;
      readonly messagesSubmitted: number;
    }
  | {
      readonly code: "UmpBytesOverflow";
      readonly bytesRemaining: number;
      readonly bytesSubmitted: number;
    }
  | {
      readonly code: "InvalidHrmpWatermark";
      readonly submitted: BlockNumber;
      readonly latest: BlockNumber;
    }
  | { readonly code: "UpgradeGoAheadAlreadyProcessed" };

// ---------------------------------------------------------------------------------------------
// HrmpChannelUpdate

/** `HrmpChannelUpdate`: messages and bytes submitted to one HRMP channel by one or more blocks. */
export interface HrmpChannelUpdate {
  readonly msgCount: number;
  readonly totalBytes: number;
}

export const HrmpChannelUpdate = {
  default(): HrmpChannelUpdate {
    return { msgCount: 0, totalBytes: 0 };
  },

  isEmpty(self: HrmpChannelUpdate): boolean {
    return self.msgCount === 0 && self.totalBytes === 0;
  },

  /**
   * `append`: add `other`, respecting the limits of the channel to `recipient`. The limits entry
   * must exist (a panic otherwise, as in Rust). Messages are checked before bytes.
   */
  append(
    self: HrmpChannelUpdate,
    other: HrmpChannelUpdate,
    recipient: ParaId,
    limits: OutboundBandwidthLimits,
  ): Result<HrmpChannelUpdate, BandwidthUpdateError> {
    const channelLimits = limits.hrmpOutgoing.get(recipient);
    ensure(channelLimits !== undefined, "limit for declared hrmp channel must be present; qed");
    const msgCount = saturatingAdd(self.msgCount, other.msgCount);
    if (msgCount > channelLimits.messagesRemaining) {
      return err({
        code: "HrmpMessagesOverflow",
        recipient,
        messagesRemaining: channelLimits.messagesRemaining,
        messagesSubmitted: msgCount,
      });
    }
    const totalBytes = saturatingAdd(self.totalBytes, other.totalBytes);
    if (totalBytes > channelLimits.bytesRemaining) {
      return err({
        code: "HrmpBytesOverflow",
        recipient,
        bytesRemaining: channelLimits.bytesRemaining,
        bytesSubmitted: totalBytes,
      });
    }
    return ok({ msgCount, totalBytes });
  },

  /** `subtract`: remove a previously appended update (plain subtraction). */
  subtract(self: HrmpChannelUpdate, other: HrmpChannelUpdate): HrmpChannelUpdate {
    return {
      msgCount: checkedSub(self.msgCount, other.msgCount),
      totalBytes: checkedSub(self.totalBytes, other.totalBytes),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// UsedBandwidth

/** `UsedBandwidth`: bandwidth used by one parachain block, or by a whole segment. */
export interface UsedBandwidth {
  readonly umpMsgCount: number;
  readonly umpTotalBytes: number;
  readonly hrmpOutgoing: ReadonlyMap<ParaId, HrmpChannelUpdate>;
}

export const UsedBandwidth = {
  default(): UsedBandwidth {
    return { umpMsgCount: 0, umpTotalBytes: 0, hrmpOutgoing: new Map() };
  },

  /**
   * `append`: add `other`, respecting the limits. UMP messages, UMP bytes, then every channel of
   * `other` in ascending para id order (an entry is created for a new channel).
   */
  append(
    self: UsedBandwidth,
    other: UsedBandwidth,
    limits: OutboundBandwidthLimits,
  ): Result<UsedBandwidth, BandwidthUpdateError> {
    const umpMsgCount = saturatingAdd(self.umpMsgCount, other.umpMsgCount);
    if (umpMsgCount > limits.umpMessagesRemaining) {
      return err({
        code: "UmpMessagesOverflow",
        messagesRemaining: limits.umpMessagesRemaining,
        messagesSubmitted: umpMsgCount,
      });
    }
    const umpTotalBytes = saturatingAdd(self.umpTotalBytes, other.umpTotalBytes);
    if (umpTotalBytes > limits.umpBytesRemaining) {
      return err({
        code: "UmpBytesOverflow",
        bytesRemaining: limits.umpBytesRemaining,
        bytesSubmitted: umpTotalBytes,
      });
    }
    const hrmpOutgoing = new Map(self.hrmpOutgoing);
    for (const id of sortedKeys(other.hrmpOutgoing)) {
      const current = hrmpOutgoing.get(id) ?? HrmpChannelUpdate.default();
      const next = HrmpChannelUpdate.append(current, other.hrmpOutgoing.get(id)!, id, limits);
      if (!next.ok) return next;
      hrmpOutgoing.set(id, next.value);
    }
    return ok({ umpMsgCount, umpTotalBytes, hrmpOutgoing: sortedMap(hrmpOutgoing) });
  },

  /**
   * `subtract`: remove a previously appended block's bandwidth, then drop every channel entry
   * that became empty.
   */
  subtract(self: UsedBandwidth, other: UsedBandwidth): UsedBandwidth {
    const umpMsgCount = checkedSub(self.umpMsgCount, other.umpMsgCount);
    const umpTotalBytes = checkedSub(self.umpTotalBytes, other.umpTotalBytes);
    const hrmpOutgoing = new Map(self.hrmpOutgoing);
    for (const id of sortedKeys(other.hrmpOutgoing)) {
      const entry = hrmpOutgoing.get(id);
      ensure(entry !== undefined, "entry's been inserted earlier with `append`; qed");
      hrmpOutgoing.set(id, HrmpChannelUpdate.subtract(entry, other.hrmpOutgoing.get(id)!));
    }
    for (const [id, channel] of hrmpOutgoing) {
      if (HrmpChannelUpdate.isEmpty(channel)) hrmpOutgoing.delete(id);
    }
    return { umpMsgCount, umpTotalBytes, hrmpOutgoing: sortedMap(hrmpOutgoing) };
  },
};

// ---------------------------------------------------------------------------------------------
// Ancestor

/**
 * `Ancestor<H>`: one unincluded block. `paraHeadHash` is null when the block is pushed in
 * `on_finalize` and filled in by the next block's `on_initialize` (its parent hash).
 */
export interface Ancestor {
  readonly usedBandwidth: UsedBandwidth;
  readonly paraHeadHash: Hash | null;
  readonly consumedGoAheadSignal: UpgradeGoAhead | null;
}

export const Ancestor = {
  /** `new_unchecked`: no bandwidth validation (the caller clipped messages to the limits). */
  newUnchecked(
    usedBandwidth: UsedBandwidth,
    consumedGoAheadSignal: UpgradeGoAhead | null,
  ): Ancestor {
    return { usedBandwidth, paraHeadHash: null, consumedGoAheadSignal };
  },

  /** `replace_para_head_hash`. */
  replaceParaHeadHash(self: Ancestor, paraHeadHash: Hash): Ancestor {
    return { ...self, paraHeadHash };
  },
};

// ---------------------------------------------------------------------------------------------
// HrmpWatermarkUpdate

/**
 * `HrmpWatermarkUpdate`: `Head(n)` (the watermark is the relay parent's number: always legal) or
 * `Trunk(n)` (below the relay parent: must not decrease).
 */
export type HrmpWatermarkUpdate =
  | { readonly kind: "head"; readonly watermark: BlockNumber }
  | { readonly kind: "trunk"; readonly watermark: BlockNumber };

export const HrmpWatermarkUpdate = {
  head(watermark: BlockNumber): HrmpWatermarkUpdate {
    return { kind: "head", watermark };
  },

  trunk(watermark: BlockNumber): HrmpWatermarkUpdate {
    return { kind: "trunk", watermark };
  },

  /** `new`: hard-constrain the watermark to the relay-parent number. */
  new(watermark: BlockNumber, relayParentNumber: BlockNumber): HrmpWatermarkUpdate {
    return watermark >= relayParentNumber
      ? { kind: "head", watermark: relayParentNumber }
      : { kind: "trunk", watermark };
  },
};

// ---------------------------------------------------------------------------------------------
// SegmentTracker

/**
 * `SegmentTracker<H>`: the aggregate of the whole unincluded segment (storage
 * `AggregatedUnincludedSegment`). Not reset when the segment becomes empty.
 */
export interface SegmentTracker {
  readonly usedBandwidth: UsedBandwidth;
  readonly hrmpWatermark: BlockNumber | null;
  readonly consumedGoAheadSignal: UpgradeGoAhead | null;
}

export const SegmentTracker = {
  default(): SegmentTracker {
    return {
      usedBandwidth: UsedBandwidth.default(),
      hrmpWatermark: null,
      consumedGoAheadSignal: null,
    };
  },

  /**
   * `append`: add a block respecting the total limits. Checks, in order: a second go-ahead
   * consumer, a decreasing `Trunk` watermark, then the bandwidth.
   */
  append(
    self: SegmentTracker,
    block: Ancestor,
    newWatermark: HrmpWatermarkUpdate,
    limits: OutboundBandwidthLimits,
  ): Result<SegmentTracker, BandwidthUpdateError> {
    if (self.consumedGoAheadSignal !== null && block.consumedGoAheadSignal !== null) {
      return err({ code: "UpgradeGoAheadAlreadyProcessed" });
    }
    if (
      self.hrmpWatermark !== null &&
      newWatermark.kind === "trunk" &&
      newWatermark.watermark < self.hrmpWatermark
    ) {
      return err({
        code: "InvalidHrmpWatermark",
        submitted: newWatermark.watermark,
        latest: self.hrmpWatermark,
      });
    }
    const usedBandwidth = UsedBandwidth.append(self.usedBandwidth, block.usedBandwidth, limits);
    if (!usedBandwidth.ok) return usedBandwidth;
    return ok({
      usedBandwidth: usedBandwidth.value,
      hrmpWatermark: newWatermark.watermark,
      consumedGoAheadSignal: block.consumedGoAheadSignal ?? self.consumedGoAheadSignal,
    });
  },

  /**
   * `subtract`: remove a block previously added. If the block consumed the go-ahead signal, it
   * must be the one the tracker holds (`assert_eq!`), which is then cleared. The watermark is
   * left unchanged: blocks are always dropped from the tail of the segment.
   */
  subtract(self: SegmentTracker, block: Ancestor): SegmentTracker {
    const usedBandwidth = UsedBandwidth.subtract(self.usedBandwidth, block.usedBandwidth);
    let consumedGoAheadSignal = self.consumedGoAheadSignal;
    if (block.consumedGoAheadSignal !== null) {
      ensure(
        consumedGoAheadSignal === block.consumedGoAheadSignal,
        () =>
          `assertion \`left == right\` failed\n  left: ${debugSignal(consumedGoAheadSignal)}\n right: ${debugSignal(block.consumedGoAheadSignal)}`,
      );
      consumedGoAheadSignal = null;
    }
    return { usedBandwidth, hrmpWatermark: self.hrmpWatermark, consumedGoAheadSignal };
  },
};

// ---------------------------------------------------------------------------------------------

/**
 * `size_after_included`: how many unincluded blocks remain if the block with `includedHash` is
 * the included one (the whole segment when no block has that head hash).
 */
export function sizeAfterIncluded(
  includedHash: Hash,
  segment: readonly { readonly paraHeadHash: Hash | null }[],
): number {
  const pos = segment.findIndex((a) => a.paraHeadHash === includedHash);
  return segment.length - (pos === -1 ? 0 : pos + 1);
}
