import { describe, expect, it } from "vitest";
import { ZERO_HASH } from "../../src/lib/hex.ts";
import { UMP_SEPARATOR } from "../../src/primitives/ump.ts";
import {
  checkProcessedDownwardMessages,
  dmqContents,
  dmqLength,
  newDmpState,
  pruneDmq,
  queueDownwardMessage,
} from "../../src/relay/dmp.ts";
import {
  channelKey,
  checkHrmpWatermark,
  checkOutboundHrmp,
  forceOpenHrmpChannel,
  newHrmpState,
  outboundRemainingCapacity,
  pruneHrmp,
  queueOutboundHrmp,
  validWatermarks,
} from "../../src/relay/hrmp.ts";
import { newParasState } from "../../src/relay/paras.ts";
import {
  checkUpwardMessages,
  dequeueUpwardMessages,
  newUmpState,
  receiveUpwardMessages,
  relayDispatchQueueSize,
} from "../../src/relay/ump.ts";
import { config } from "./helpers.ts";

const bytes = (...b: number[]) => new Uint8Array(b);

describe("dmp", () => {
  const cfg = config({ maxDownwardMessageSize: 8 });

  // dmp/tests.rs::check_processed_downward_messages
  it("check_processed_downward_messages", () => {
    const dmp = newDmpState();
    const a = 1312;
    const blockNumber = 5;
    // processed_downward_messages=0 is allowed when the DMQ is empty.
    expect(checkProcessedDownwardMessages(dmp, a, blockNumber, 0).ok).toBe(true);
    for (const m of [bytes(1, 2, 3), bytes(4, 5, 6), bytes(7, 8, 9)])
      queueDownwardMessage(dmp, cfg, a, m, blockNumber);
    // 0 doesn't pass if the DMQ has msgs.
    expect(checkProcessedDownwardMessages(dmp, a, blockNumber, 0)).toEqual({
      ok: false,
      error: { code: "AdvancementRule" },
    });
    // a candidate can consume up to 3 messages
    for (const n of [1, 2, 3])
      expect(checkProcessedDownwardMessages(dmp, a, blockNumber, n).ok).toBe(true);
    // there is no 4 messages in the queue
    expect(checkProcessedDownwardMessages(dmp, a, blockNumber, 4)).toEqual({
      ok: false,
      error: { code: "Underflow", processedDownwardMessages: 4, dmqLength: 3 },
    });
  });

  it("the advancement rule only applies to messages sent at or before the relay parent", () => {
    const dmp = newDmpState();
    queueDownwardMessage(dmp, cfg, 1, bytes(1), 10);
    expect(checkProcessedDownwardMessages(dmp, 1, 9, 0).ok).toBe(true);
    expect(checkProcessedDownwardMessages(dmp, 1, 10, 0).ok).toBe(false);
  });

  // dmp/tests.rs::dmq_pruning
  it("dmq_pruning", () => {
    const dmp = newDmpState();
    for (const m of [bytes(1), bytes(2), bytes(3)]) queueDownwardMessage(dmp, cfg, 1, m, 1);
    pruneDmq(dmp, 1, 1);
    expect(dmqContents(dmp, 1).map((m) => m.msg[0])).toEqual([2, 3]);
    // More than queued: the queue is emptied.
    pruneDmq(dmp, 1, 5);
    expect(dmqLength(dmp, 1)).toBe(0);
    pruneDmq(dmp, 2, 1); // unknown para: no-op
  });

  it("rejects messages above max_downward_message_size", () => {
    const dmp = newDmpState();
    expect(queueDownwardMessage(dmp, cfg, 1, new Uint8Array(9), 1)).toEqual({
      ok: false,
      error: { code: "ExceedsMaxMessageSize" },
    });
    expect(dmqLength(dmp, 1)).toBe(0);
  });
});

describe("hrmp", () => {
  const cfg = config({ hrmpMaxMessageNumPerCandidate: 2 });

  function setup() {
    const hrmp = newHrmpState();
    forceOpenHrmpChannel(hrmp, 1, 2, 2, 10, 15);
    forceOpenHrmpChannel(hrmp, 1, 3, 2, 10, 15);
    forceOpenHrmpChannel(hrmp, 3, 2, 2, 10, 15);
    return hrmp;
  }

  it("check_hrmp_watermark: head, ahead, advancement, equal, digest", () => {
    const hrmp = setup();
    queueOutboundHrmp(hrmp, 1, [{ recipient: 2, data: bytes(1) }], 4);
    queueOutboundHrmp(hrmp, 3, [{ recipient: 2, data: bytes(2) }], 6);
    expect(checkHrmpWatermark(hrmp, 2, 7, 7).ok).toBe(true);
    expect(checkHrmpWatermark(hrmp, 2, 7, 8)).toEqual({
      ok: false,
      error: { code: "AheadRelayParent", newWatermark: 8, relayChainParentNumber: 7 },
    });
    expect(checkHrmpWatermark(hrmp, 2, 7, 4).ok).toBe(true);
    expect(checkHrmpWatermark(hrmp, 2, 7, 5)).toEqual({
      ok: false,
      error: { code: "LandsOnBlockWithNoMessages", newWatermark: 5 },
    });
    pruneHrmp(hrmp, 2, 4);
    expect(checkHrmpWatermark(hrmp, 2, 7, 3)).toEqual({
      ok: false,
      error: { code: "AdvancementRule", newWatermark: 3, lastWatermark: 4 },
    });
    // The watermark may stay where it is (newest rule; older code required strictly greater).
    expect(checkHrmpWatermark(hrmp, 2, 7, 4).ok).toBe(true);
    expect(checkHrmpWatermark(hrmp, 2, 7, 6).ok).toBe(true);
  });

  it("valid_watermarks prepends the current watermark when older than every digest entry", () => {
    const hrmp = setup();
    queueOutboundHrmp(hrmp, 1, [{ recipient: 2, data: bytes(1) }], 4);
    queueOutboundHrmp(hrmp, 3, [{ recipient: 2, data: bytes(2) }], 6);
    expect(validWatermarks(hrmp, 2)).toEqual([4, 6]);
    pruneHrmp(hrmp, 2, 4);
    expect(validWatermarks(hrmp, 2)).toEqual([4, 6]);
    pruneHrmp(hrmp, 2, 5);
    expect(validWatermarks(hrmp, 2)).toEqual([5, 6]);
  });

  it("check_outbound_hrmp: count, order, channel, size, total size, capacity", () => {
    const hrmp = setup();
    const m = (recipient: number, len: number) => ({ recipient, data: new Uint8Array(len) });
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 1), m(3, 1)]).ok).toBe(true);
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 1), m(3, 1), m(4, 1)])).toEqual({
      ok: false,
      error: { code: "MoreMessagesThanPermitted", sent: 3, permitted: 2 },
    });
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(3, 1), m(2, 1)])).toEqual({
      ok: false,
      error: { code: "NotSorted", idx: 1 },
    });
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 1), m(2, 1)])).toEqual({
      ok: false,
      error: { code: "NotSorted", idx: 1 },
    });
    expect(checkOutboundHrmp(hrmp, cfg, 2, [m(1, 1)])).toEqual({
      ok: false,
      error: { code: "NoSuchChannel", idx: 0, channelId: { sender: 2, recipient: 1 } },
    });
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 11)])).toEqual({
      ok: false,
      error: { code: "MaxMessageSizeExceeded", idx: 0, msgSize: 11, maxSize: 10 },
    });
    queueOutboundHrmp(hrmp, 1, [m(2, 10)], 1);
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 6)])).toEqual({
      ok: false,
      error: { code: "TotalSizeExceeded", idx: 0, totalSize: 16, limit: 15 },
    });
    queueOutboundHrmp(hrmp, 1, [m(2, 1)], 2);
    expect(checkOutboundHrmp(hrmp, cfg, 1, [m(2, 1)])).toEqual({
      ok: false,
      error: { code: "CapacityExceeded", idx: 0, count: 3, limit: 2 },
    });
    expect(outboundRemainingCapacity(hrmp, 1)).toEqual([
      [2, [0, 4]],
      [3, [2, 15]],
    ]);
  });

  it("queue_outbound_hrmp and prune_hrmp keep contents, counters, digests and the MQC head consistent", () => {
    const hrmp = setup();
    queueOutboundHrmp(hrmp, 1, [{ recipient: 2, data: bytes(1, 2) }], 3);
    queueOutboundHrmp(hrmp, 3, [{ recipient: 2, data: bytes(3) }], 3);
    queueOutboundHrmp(
      hrmp,
      1,
      [
        { recipient: 2, data: bytes(4) },
        { recipient: 9, data: bytes(5) },
      ],
      5,
    );
    expect(hrmp.hrmpChannelDigests.get(2)).toEqual([
      [3, [1, 3]],
      [5, [1]],
    ]);
    const ch = hrmp.hrmpChannels.get(channelKey(1, 2))!;
    expect(ch).toMatchObject({ msgCount: 2, totalSize: 3 });
    expect(ch.mqcHead).not.toBeNull();
    expect(ch.mqcHead).not.toBe(ZERO_HASH);
    const head1 = ch.mqcHead;
    // The MQC head is a chain: the same messages give the same head.
    const other = setup();
    queueOutboundHrmp(other, 1, [{ recipient: 2, data: bytes(1, 2) }], 3);
    queueOutboundHrmp(other, 1, [{ recipient: 2, data: bytes(4) }], 5);
    expect(other.hrmpChannels.get(channelKey(1, 2))!.mqcHead).toBe(head1);

    pruneHrmp(hrmp, 2, 3);
    expect(hrmp.hrmpWatermarks.get(2)).toBe(3);
    expect(hrmp.hrmpChannelDigests.get(2)).toEqual([[5, [1]]]);
    expect(hrmp.hrmpChannels.get(channelKey(1, 2))).toMatchObject({ msgCount: 1, totalSize: 1 });
    expect(hrmp.hrmpChannels.get(channelKey(3, 2))).toMatchObject({ msgCount: 0, totalSize: 0 });
    expect(hrmp.hrmpChannelContents.has(channelKey(3, 2))).toBe(false);
  });
});

describe("ump", () => {
  const cfg = config({
    maxUpwardMessageNumPerCandidate: 3,
    maxUpwardQueueCount: 4,
    maxUpwardQueueSize: 10,
    maxUpwardMessageSize: 5,
  });

  it("check_upward_messages: signals, count, queue capacity, message size, queue size", () => {
    const ump = newUmpState();
    const paras = newParasState();
    const check = (msgs: Uint8Array[]) => checkUpwardMessages(ump, paras, cfg, 1, msgs);
    expect(check([bytes(1), bytes(2)]).ok).toBe(true);
    expect(check([bytes(1), UMP_SEPARATOR, bytes(0, 1, 0)]).ok).toBe(true);
    expect(check([bytes(1), UMP_SEPARATOR])).toEqual({ ok: false, error: { code: "NoUmpSignal" } });
    expect(check([UMP_SEPARATOR, bytes(0), bytes(1)])).toEqual({
      ok: false,
      error: { code: "TooManyUMPSignals", count: 3 },
    });
    expect(check([bytes(1), bytes(1), bytes(1), bytes(1)])).toEqual({
      ok: false,
      error: { code: "MoreMessagesThanPermitted", sent: 4, permitted: 3 },
    });
    expect(check([bytes(1, 2, 3, 4, 5, 6)])).toEqual({
      ok: false,
      error: { code: "MessageSize", idx: 0, msgSize: 6, maxSize: 5 },
    });
    receiveUpwardMessages(ump, 1, [bytes(1, 2, 3), bytes(4, 5, 6)]);
    expect(relayDispatchQueueSize(ump, 1)).toEqual([2, 6]);
    expect(check([bytes(1), bytes(1), bytes(1)])).toEqual({
      ok: false,
      error: { code: "CapacityExceeded", count: 5, limit: 4 },
    });
    expect(check([bytes(1, 2), bytes(1, 2, 3)])).toEqual({
      ok: false,
      error: { code: "TotalSizeExceeded", totalSize: 11, limit: 10 },
    });
    paras.paraLifecycles.set(1, "OffboardingParachain");
    expect(check([bytes(1)])).toEqual({ ok: false, error: { code: "IsOffboarding" } });
    expect(check([]).ok).toBe(true);
  });

  it("receive_upward_messages enqueues only the messages before the separator", () => {
    const ump = newUmpState();
    expect(receiveUpwardMessages(ump, 1, [UMP_SEPARATOR, bytes(0, 1, 0)])).toBe(0);
    expect(ump.upwardQueues.has(1)).toBe(false);
    expect(receiveUpwardMessages(ump, 1, [bytes(7), UMP_SEPARATOR, bytes(0, 1, 0)])).toBe(1);
    expect(dequeueUpwardMessages(ump, 1, 5)).toEqual([bytes(7)]);
    expect(relayDispatchQueueSize(ump, 1)).toEqual([0, 0]);
  });
});
