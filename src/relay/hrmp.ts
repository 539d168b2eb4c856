/**
 * Horizontal message passing (HRMP), reduced to open channels, their contents, the per-recipient
 * digests and watermarks, and the acceptance checks of a candidate's outputs.
 *
 * - `checkHrmpWatermark` (newest rule): `w == relayParentNumber` is always fine; `w` ahead of the
 *   relay parent is `AheadRelayParent`; below the last watermark is `AdvancementRule`; equal to it
 *   is fine; otherwise `w` must be a block in which the para received messages
 *   (`LandsOnBlockWithNoMessages`).
 * - `checkOutboundHrmp`: count first, then per message: recipients strictly ascending, channel
 *   exists, message size, channel total size, channel capacity (each against the current channel
 *   state: at most one message per recipient, so nothing accumulates).
 * Channel opening/closing requests and deposits are not modelled (`forceOpenHrmpChannel` stands in).
 *
 * Invariants: `hrmpChannelDigests[r]` is sorted by block, one entry per block; a channel's
 * `msgCount`/`totalSize` equal the count/bytes of its contents.
 *
 * Ref: polkadot/runtime/parachains/src/hrmp.rs.
 */
import { Bytes, u32 } from "scale-ts";
import type { HostConfiguration } from "../config/host-configuration.ts";
import { concatBytes, fromHex, type Hash, ZERO_HASH } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { BlockNumber, OutboundHrmpMessage, ParaId } from "../primitives/codecs.ts";
import { blake2b256, hashBytes } from "../primitives/hashing.ts";

export interface HrmpChannelId {
  readonly sender: ParaId;
  readonly recipient: ParaId;
}

export interface HrmpChannel {
  readonly maxCapacity: number;
  readonly maxTotalSize: number;
  readonly maxMessageSize: number;
  msgCount: number;
  totalSize: number;
  /** Head of the channel's message queue chain; null before the first message. */
  mqcHead: Hash | null;
}

export interface InboundHrmpMessage {
  readonly sentAt: BlockNumber;
  readonly data: Uint8Array;
}

export interface HrmpState {
  /** `HrmpChannels`, keyed by `channelKey(sender, recipient)`. */
  hrmpChannels: Map<string, HrmpChannel>;
  /** `HrmpChannelContents`, same keys. */
  hrmpChannelContents: Map<string, InboundHrmpMessage[]>;
  /** `HrmpWatermarks`: the last accepted watermark of each recipient. */
  hrmpWatermarks: Map<ParaId, BlockNumber>;
  /** `HrmpChannelDigests`: per recipient, `(block, senders)` for blocks with incoming messages. */
  hrmpChannelDigests: Map<ParaId, [BlockNumber, ParaId[]][]>;
}

export function newHrmpState(): HrmpState {
  return {
    hrmpChannels: new Map(),
    hrmpChannelContents: new Map(),
    hrmpWatermarks: new Map(),
    hrmpChannelDigests: new Map(),
  };
}

export function channelKey(sender: ParaId, recipient: ParaId): string {
  return `${sender}->${recipient}`;
}

/** Open a channel directly (stands in for the open-request / accept / session-change dance). */
export function forceOpenHrmpChannel(
  hrmp: HrmpState,
  sender: ParaId,
  recipient: ParaId,
  maxCapacity: number,
  maxMessageSize: number,
  maxTotalSize: number,
): void {
  hrmp.hrmpChannels.set(channelKey(sender, recipient), {
    maxCapacity,
    maxTotalSize,
    maxMessageSize,
    msgCount: 0,
    totalSize: 0,
    mqcHead: null,
  });
}

/** `HrmpWatermarkAcceptanceErr`. */
export type HrmpWatermarkAcceptanceErr =
  | {
      readonly code: "AdvancementRule";
      readonly newWatermark: number;
      readonly lastWatermark: number;
    }
  | {
      readonly code: "AheadRelayParent";
      readonly newWatermark: number;
      readonly relayChainParentNumber: number;
    }
  | { readonly code: "LandsOnBlockWithNoMessages"; readonly newWatermark: number };

/** `OutboundHrmpAcceptanceErr`. */
export type OutboundHrmpAcceptanceErr =
  | {
      readonly code: "MoreMessagesThanPermitted";
      readonly sent: number;
      readonly permitted: number;
    }
  | { readonly code: "NotSorted"; readonly idx: number }
  | { readonly code: "NoSuchChannel"; readonly idx: number; readonly channelId: HrmpChannelId }
  | {
      readonly code: "MaxMessageSizeExceeded";
      readonly idx: number;
      readonly msgSize: number;
      readonly maxSize: number;
    }
  | {
      readonly code: "TotalSizeExceeded";
      readonly idx: number;
      readonly totalSize: number;
      readonly limit: number;
    }
  | {
      readonly code: "CapacityExceeded";
      readonly idx: number;
      readonly count: number;
      readonly limit: number;
    };

/** `check_hrmp_watermark`. */
export function checkHrmpWatermark(
  hrmp: HrmpState,
  recipient: ParaId,
  relayChainParentNumber: BlockNumber,
  newHrmpWatermark: BlockNumber,
): Result<undefined, HrmpWatermarkAcceptanceErr> {
  if (newHrmpWatermark === relayChainParentNumber) return ok(undefined);
  if (newHrmpWatermark > relayChainParentNumber) {
    return err({
      code: "AheadRelayParent",
      newWatermark: newHrmpWatermark,
      relayChainParentNumber,
    });
  }
  const lastWatermark = hrmp.hrmpWatermarks.get(recipient);
  if (lastWatermark !== undefined) {
    if (newHrmpWatermark < lastWatermark) {
      return err({ code: "AdvancementRule", newWatermark: newHrmpWatermark, lastWatermark });
    }
    if (newHrmpWatermark === lastWatermark) return ok(undefined);
  }
  const digest = hrmp.hrmpChannelDigests.get(recipient) ?? [];
  if (!digest.some(([block]) => block === newHrmpWatermark)) {
    return err({ code: "LandsOnBlockWithNoMessages", newWatermark: newHrmpWatermark });
  }
  return ok(undefined);
}

/**
 * `valid_watermarks`: the blocks with incoming messages, preceded by the current watermark when it
 * is older than all of them (it stays valid until updated).
 */
export function validWatermarks(hrmp: HrmpState, recipient: ParaId): BlockNumber[] {
  const out = (hrmp.hrmpChannelDigests.get(recipient) ?? []).map(([block]) => block);
  const last = hrmp.hrmpWatermarks.get(recipient);
  if (last !== undefined && out.length > 0 && out[0]! > last) out.unshift(last);
  return out;
}

/** `check_outbound_hrmp`. */
export function checkOutboundHrmp(
  hrmp: HrmpState,
  config: HostConfiguration,
  sender: ParaId,
  outHrmpMsgs: readonly OutboundHrmpMessage[],
): Result<undefined, OutboundHrmpAcceptanceErr> {
  if (outHrmpMsgs.length > config.hrmpMaxMessageNumPerCandidate) {
    return err({
      code: "MoreMessagesThanPermitted",
      sent: outHrmpMsgs.length,
      permitted: config.hrmpMaxMessageNumPerCandidate,
    });
  }
  let lastRecipient: ParaId | null = null;
  for (const [idx, msg] of outHrmpMsgs.entries()) {
    if (lastRecipient !== null && msg.recipient <= lastRecipient) {
      return err({ code: "NotSorted", idx });
    }
    lastRecipient = msg.recipient;
    const channel = hrmp.hrmpChannels.get(channelKey(sender, msg.recipient));
    if (channel === undefined) {
      return err({ code: "NoSuchChannel", idx, channelId: { sender, recipient: msg.recipient } });
    }
    const msgSize = msg.data.length;
    if (msgSize > channel.maxMessageSize) {
      return err({ code: "MaxMessageSizeExceeded", idx, msgSize, maxSize: channel.maxMessageSize });
    }
    const newTotalSize = channel.totalSize + msgSize;
    if (newTotalSize > channel.maxTotalSize) {
      return err({
        code: "TotalSizeExceeded",
        idx,
        totalSize: newTotalSize,
        limit: channel.maxTotalSize,
      });
    }
    const newMsgCount = channel.msgCount + 1;
    if (newMsgCount > channel.maxCapacity) {
      return err({ code: "CapacityExceeded", idx, count: newMsgCount, limit: channel.maxCapacity });
    }
  }
  return ok(undefined);
}

/** `outbound_remaining_capacity`: per recipient, `[messagesRemaining, bytesRemaining]`. */
export function outboundRemainingCapacity(
  hrmp: HrmpState,
  sender: ParaId,
): [ParaId, [number, number]][] {
  const out: [ParaId, [number, number]][] = [];
  for (const [key, ch] of hrmp.hrmpChannels) {
    const [s, r] = key.split("->").map(Number) as [number, number];
    if (s === sender) out.push([r, [ch.maxCapacity - ch.msgCount, ch.maxTotalSize - ch.totalSize]]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * `prune_hrmp`: remove the messages up to the new watermark from every channel that delivered
 * something to `recipient` by then, and record the watermark.
 */
export function pruneHrmp(hrmp: HrmpState, recipient: ParaId, newHrmpWatermark: BlockNumber): void {
  const digest = hrmp.hrmpChannelDigests.get(recipient) ?? [];
  const senders = new Set<ParaId>();
  const leftover: [BlockNumber, ParaId[]][] = [];
  for (const [block, paras] of digest) {
    if (block <= newHrmpWatermark) for (const p of paras) senders.add(p);
    else leftover.push([block, paras]);
  }
  if (hrmp.hrmpChannelDigests.has(recipient)) hrmp.hrmpChannelDigests.set(recipient, leftover);
  for (const sender of [...senders].sort((a, b) => a - b)) {
    const key = channelKey(sender, recipient);
    const contents = hrmp.hrmpChannelContents.get(key) ?? [];
    let prunedCnt = 0;
    let prunedSize = 0;
    const kept: InboundHrmpMessage[] = [];
    for (const m of contents) {
      if (m.sentAt <= newHrmpWatermark) {
        prunedCnt += 1;
        prunedSize += m.data.length;
      } else kept.push(m);
    }
    if (kept.length > 0) hrmp.hrmpChannelContents.set(key, kept);
    else hrmp.hrmpChannelContents.delete(key);
    const channel = hrmp.hrmpChannels.get(key);
    if (channel !== undefined) {
      channel.msgCount -= prunedCnt;
      channel.totalSize -= prunedSize;
    }
  }
  hrmp.hrmpWatermarks.set(recipient, newHrmpWatermark);
}

/** The MQC link: `blake2((prev_head, sent_at, blake2(encode(data))))`, SCALE-encoded. */
function mqcLink(prevHead: Hash, sentAt: BlockNumber, data: Uint8Array): Hash {
  const dataHash = blake2b256(Bytes().enc(data));
  return hashBytes(concatBytes(fromHex(prevHead), u32.enc(sentAt), dataHash));
}

/** `queue_outbound_hrmp` at block `now`: append to recipient channels (closed ones are skipped). */
export function queueOutboundHrmp(
  hrmp: HrmpState,
  sender: ParaId,
  outHrmpMsgs: readonly OutboundHrmpMessage[],
  now: BlockNumber,
): void {
  for (const msg of outHrmpMsgs) {
    const key = channelKey(sender, msg.recipient);
    const channel = hrmp.hrmpChannels.get(key);
    // The recipient may have been offboarded since the candidate was accepted.
    if (channel === undefined) continue;
    channel.msgCount += 1;
    channel.totalSize += msg.data.length;
    channel.mqcHead = mqcLink(channel.mqcHead ?? ZERO_HASH, now, msg.data);
    const contents = hrmp.hrmpChannelContents.get(key) ?? [];
    contents.push({ sentAt: now, data: msg.data });
    hrmp.hrmpChannelContents.set(key, contents);

    const digest = hrmp.hrmpChannelDigests.get(msg.recipient) ?? [];
    const last = digest[digest.length - 1];
    if (last !== undefined && last[0] === now) last[1].push(sender);
    else digest.push([now, [sender]]);
    hrmp.hrmpChannelDigests.set(msg.recipient, digest);
  }
}
