import { describe, expect, it } from "vitest";
import { RuntimePanic } from "../../src/lib/assert.ts";
import { type Hash, repeatByte, toHex } from "../../src/lib/hex.ts";
import {
  adjustEgressBandwidthLimits,
  type ConsensusHook,
  checkAssociatedRelayNumber,
  DefaultCoreSelector,
  EMPTY_UNINCLUDED_SEGMENT,
  ExpectParentIncluded,
  FixedCapacityUnincludedSegment,
  LookaheadCoreSelector,
  maybeDropIncludedAncestors,
  onFinalizeUnincludedSegment,
  onInitialize,
  processUpgradeGoAheadSignal,
  RequireParentIncluded,
  takeUpwardMessages,
  UnincludedSegmentCapacity,
  type UnincludedSegmentState,
} from "../../src/parachain/parachain-system.ts";
import {
  Ancestor,
  HrmpWatermarkUpdate,
  type MessagingStateSnapshot,
  OutboundBandwidthLimits,
  SegmentTracker,
  type UpgradeGoAhead,
  UsedBandwidth,
} from "../../src/parachain/unincluded-segment.ts";
import type { HeadData } from "../../src/primitives/codecs.ts";
import { hashHex } from "../../src/primitives/hashing.ts";

const NO_LIMITS: OutboundBandwidthLimits = {
  umpMessagesRemaining: 0,
  umpBytesRemaining: 0,
  hrmpOutgoing: new Map(),
};

/** Head data of para block `n` (distinct per block, like an encoded header). */
const headOf = (n: number): HeadData => toHex(new Uint8Array([0xca, 0xfe, n & 0xff, n >> 8]));

/**
 * A port of parachain-system's mock `BlockTests`: blocks are executed in order on one chain; the
 * relay chain includes each block `inclusionDelay` blocks later (the mock's pending queue).
 */
function blockTests(opts: {
  hook: ConsensusHook;
  inclusionDelay: number;
  goAhead?: (n: number) => UpgradeGoAhead | null;
  blocks: {
    n: number;
    within?: (s: { pendingValidationCode: boolean }) => void;
    after?: (s: UnincludedSegmentState & { pendingValidationCode: boolean }) => void;
  }[];
}): void {
  let parentHead = headOf(0);
  let includedParaHead: HeadData = parentHead;
  const pendingBlocks: HeadData[] = [];
  let state = EMPTY_UNINCLUDED_SEGMENT;
  const code = { pendingValidationCode: false };
  for (const { n, within, after } of opts.blocks) {
    const parentHash = hashHex(parentHead);
    state = onInitialize(state, parentHash);
    // set_validation_data
    const capacity = opts.hook.onStateProof();
    state = maybeDropIncludedAncestors(
      state.unincludedSegment,
      state.aggregatedUnincludedSegment,
      includedParaHead,
      parentHash,
      capacity,
    );
    const signal = opts.goAhead?.(n) ?? null;
    const action = processUpgradeGoAheadSignal(
      state.aggregatedUnincludedSegment,
      signal,
      code.pendingValidationCode,
    );
    if (action === "applyPendingCode" || action === "discardPendingCode") {
      code.pendingValidationCode = false;
    }
    within?.(code);
    state = onFinalizeUnincludedSegment(state, {
      usedBandwidth: UsedBandwidth.default(),
      relayUpgradeGoAhead: signal,
      hrmpWatermark: n,
      relayParentNumber: n,
      totalBandwidthOut: NO_LIMITS,
    });
    const head = headOf(n);
    parentHead = head;
    pendingBlocks.push(head);
    if (pendingBlocks.length > opts.inclusionDelay) includedParaHead = pendingBlocks.shift()!;
    after?.({ ...state, ...code });
  }
}

describe("UnincludedSegmentCapacity and the consensus hooks", () => {
  it("get and isExpectingIncludedParent", () => {
    const v = UnincludedSegmentCapacity.value(3);
    expect(UnincludedSegmentCapacity.get(v)).toBe(3);
    expect(UnincludedSegmentCapacity.isExpectingIncludedParent(v)).toBe(false);
    const e = UnincludedSegmentCapacity.expectParentIncluded();
    expect(UnincludedSegmentCapacity.get(e)).toBe(1);
    expect(UnincludedSegmentCapacity.isExpectingIncludedParent(e)).toBe(true);
    expect(() => UnincludedSegmentCapacity.value(0)).toThrow("NonZeroU32");
  });

  it("ExpectParentIncluded, FixedCapacityUnincludedSegment<N>, RequireParentIncluded", () => {
    expect(ExpectParentIncluded.onStateProof()).toEqual({ kind: "expectParentIncluded" });
    expect(FixedCapacityUnincludedSegment(0).onStateProof()).toEqual({ kind: "value", value: 1 });
    expect(FixedCapacityUnincludedSegment(5).onStateProof()).toEqual({ kind: "value", value: 5 });
    // A type alias for FixedCapacityUnincludedSegment<1> in Rust.
    expect(RequireParentIncluded.onStateProof()).toEqual({ kind: "value", value: 1 });
  });
});

describe("CheckAssociatedRelayNumber", () => {
  const cases: [
    string,
    Parameters<typeof checkAssociatedRelayNumber>[0],
    number,
    number,
    string | null,
  ][] = [
    ["strict increase ok", "RelayNumberStrictlyIncreases", 5, 4, null],
    [
      "strict equal panics",
      "RelayNumberStrictlyIncreases",
      4,
      4,
      "Relay chain block number needs to strictly increase between Parachain blocks!",
    ],
    [
      "strict decrease panics",
      "RelayNumberStrictlyIncreases",
      3,
      4,
      "Relay chain block number needs to strictly increase between Parachain blocks!",
    ],
    ["monotonic equal ok", "RelayNumberMonotonicallyIncreases", 4, 4, null],
    [
      "monotonic decrease panics",
      "RelayNumberMonotonicallyIncreases",
      3,
      4,
      "Relay chain block number needs to monotonically increase between Parachain blocks!",
    ],
    ["any decrease ok", "AnyRelayNumber", 1, 4, null],
  ];
  it.each(cases)("%s", (_name, strategy, current, previous, panicMessage) => {
    const run = () => checkAssociatedRelayNumber(strategy, current, previous);
    if (panicMessage === null) expect(run).not.toThrow();
    else expect(run).toThrow(new RuntimePanic(panicMessage));
  });

  it("test (strictly increasing, same relay parent twice)", () => {
    // tests.rs `test`: relay_parent_number = 1 for blocks 1 and 2.
    checkAssociatedRelayNumber("RelayNumberStrictlyIncreases", 1, 0);
    expect(() => checkAssociatedRelayNumber("RelayNumberStrictlyIncreases", 1, 1)).toThrow(
      "Relay chain block number needs to strictly increase between Parachain blocks!",
    );
  });
});

describe("maybe_drop_included_ancestors", () => {
  const limits = NO_LIMITS;
  /** A segment of blocks 1..=k with head hashes set, and its aggregate. */
  function segmentOf(k: number, signalAt: number | null = null): UnincludedSegmentState {
    let agg = SegmentTracker.default();
    const segment: Ancestor[] = [];
    for (let n = 1; n <= k; n++) {
      const a = Ancestor.replaceParaHeadHash(
        Ancestor.newUnchecked(UsedBandwidth.default(), n === signalAt ? "GoAhead" : null),
        hashHex(headOf(n)),
      );
      const r = SegmentTracker.append(agg, a, HrmpWatermarkUpdate.head(n), limits);
      if (!r.ok) throw new Error("append failed");
      agg = r.value;
      segment.push(a);
    }
    return { unincludedSegment: segment, aggregatedUnincludedSegment: agg };
  }

  it("drops the included ancestor and everything before it", () => {
    const s = segmentOf(3, 2);
    const out = maybeDropIncludedAncestors(
      s.unincludedSegment,
      s.aggregatedUnincludedSegment,
      headOf(2),
      hashHex(headOf(3)),
      UnincludedSegmentCapacity.value(3),
    );
    expect(out.unincludedSegment.map((a) => a.paraHeadHash)).toEqual([hashHex(headOf(3))]);
    expect(out.aggregatedUnincludedSegment?.consumedGoAheadSignal).toBeNull();
    expect(out.aggregatedUnincludedSegment?.hrmpWatermark).toBe(3);
  });

  it("an unknown included head drops nothing", () => {
    const s = segmentOf(2);
    const out = maybeDropIncludedAncestors(
      s.unincludedSegment,
      s.aggregatedUnincludedSegment,
      headOf(99),
      hashHex(headOf(2)),
      UnincludedSegmentCapacity.value(3),
    );
    expect(out.unincludedSegment).toHaveLength(2);
  });

  it("the capacity check is strict: new_len < capacity", () => {
    const s = segmentOf(2);
    expect(() =>
      maybeDropIncludedAncestors(
        s.unincludedSegment,
        s.aggregatedUnincludedSegment,
        headOf(0),
        hashHex(headOf(2)),
        UnincludedSegmentCapacity.value(2),
      ),
    ).toThrow(
      new RuntimePanic(
        "No space left for the block in the unincluded segment: new_len(2) < capacity(2)",
      ),
    );
  });

  it("ExpectParentIncluded asserts the proof's head is the parent", () => {
    const s = segmentOf(1);
    expect(() =>
      maybeDropIncludedAncestors(
        s.unincludedSegment,
        s.aggregatedUnincludedSegment,
        headOf(0),
        hashHex(headOf(1)),
        UnincludedSegmentCapacity.expectParentIncluded(),
      ),
    ).toThrow("expected parent to be included");
    const ok = maybeDropIncludedAncestors(
      s.unincludedSegment,
      s.aggregatedUnincludedSegment,
      headOf(1),
      hashHex(headOf(1)),
      UnincludedSegmentCapacity.expectParentIncluded(),
    );
    expect(ok.unincludedSegment).toHaveLength(0);
  });

  it("without the head in the proof: the parent for ExpectParentIncluded, else a panic", () => {
    const s = segmentOf(1);
    const out = maybeDropIncludedAncestors(
      s.unincludedSegment,
      s.aggregatedUnincludedSegment,
      null,
      hashHex(headOf(1)),
      UnincludedSegmentCapacity.expectParentIncluded(),
    );
    expect(out.unincludedSegment).toHaveLength(0);
    expect(() =>
      maybeDropIncludedAncestors(
        s.unincludedSegment,
        s.aggregatedUnincludedSegment,
        null,
        hashHex(headOf(1)),
        UnincludedSegmentCapacity.value(5),
      ),
    ).toThrow(new RuntimePanic("included head not present in relay storage proof"));
  });

  it("an ancestor without a head hash before the match is Rust's expect", () => {
    const a = Ancestor.newUnchecked(UsedBandwidth.default(), null);
    expect(() =>
      maybeDropIncludedAncestors(
        [a],
        SegmentTracker.default(),
        headOf(1),
        hashHex(headOf(1)),
        UnincludedSegmentCapacity.value(5),
      ),
    ).toThrow("para head hash is updated during block initialization; qed");
  });
});

describe("parachain-system tests.rs (unincluded segment)", () => {
  it("unincluded_segment_works", () => {
    const lens: number[] = [];
    blockTests({
      hook: FixedCapacityUnincludedSegment(10),
      inclusionDelay: 1,
      blocks: [1, 2, 3].map((n) => ({
        n,
        after: (s) => {
          lens.push(s.unincludedSegment.length);
          expect(s.aggregatedUnincludedSegment).not.toBeNull();
        },
      })),
    });
    // Block 1 was popped from the segment when block 3 was built: the length is still 2.
    expect(lens).toEqual([1, 2, 2]);
  });

  it("unincluded_segment_is_limited", () => {
    let afterFirst = -1;
    expect(() =>
      blockTests({
        hook: FixedCapacityUnincludedSegment(1),
        inclusionDelay: 2,
        blocks: [
          { n: 1, after: (s) => (afterFirst = s.unincludedSegment.length) },
          { n: 2 }, // the previous block was not included yet
        ],
      }),
    ).toThrow(
      new RuntimePanic(
        "No space left for the block in the unincluded segment: new_len(1) < capacity(1)",
      ),
    );
    expect(afterFirst).toBe(1);
  });

  it("unincluded_code_upgrade_handles_signal", () => {
    const seen: (UpgradeGoAhead | null)[] = [];
    blockTests({
      hook: FixedCapacityUnincludedSegment(2),
      inclusionDelay: 1,
      goAhead: (n) => (n > 1 && n <= 3 ? "GoAhead" : null),
      blocks: [
        { n: 1, within: (c) => (c.pendingValidationCode = true) },
        {
          n: 2,
          after: (s) => {
            expect(s.pendingValidationCode).toBe(false); // validation function must have been unset
          },
        },
        {
          n: 3, // the signal is in the proof again and ignored; its consumer is still unincluded
          after: (s) => {
            expect(s.unincludedSegment).toHaveLength(2);
            seen.push(s.aggregatedUnincludedSegment!.consumedGoAheadSignal);
          },
        },
        {
          n: 4, // the block that processed the signal is included
          after: (s) => seen.push(s.aggregatedUnincludedSegment!.consumedGoAheadSignal),
        },
      ],
    });
    expect(seen).toEqual(["GoAhead", null]);
  });

  it("unincluded_code_upgrade_scheduled_after_go_ahead", () => {
    let pendingAt4 = false;
    blockTests({
      hook: FixedCapacityUnincludedSegment(2),
      inclusionDelay: 1,
      goAhead: (n) => (n > 1 && n <= 3 ? "GoAhead" : null),
      blocks: [
        { n: 1, within: (c) => (c.pendingValidationCode = true) },
        {
          n: 2,
          within: (c) => {
            expect(c.pendingValidationCode).toBe(false);
            c.pendingValidationCode = true; // schedule another upgrade
          },
        },
        {
          n: 3,
          after: (s) =>
            expect(s.aggregatedUnincludedSegment!.consumedGoAheadSignal).toBe("GoAhead"),
        },
        { n: 4, after: (s) => (pendingAt4 = s.pendingValidationCode) },
      ],
    });
    expect(pendingAt4).toBe(true); // upgrade is pending
  });

  it("a GoAhead without pending code panics; a differing relay signal panics", () => {
    expect(() => processUpgradeGoAheadSignal(null, "GoAhead", false)).toThrow(
      "No new validation function found in storage, GoAhead signal is not expected",
    );
    expect(processUpgradeGoAheadSignal(null, "Abort", false)).toBe("discardPendingCode");
    expect(processUpgradeGoAheadSignal(null, null, true)).toBe("none");
    const agg: SegmentTracker = { ...SegmentTracker.default(), consumedGoAheadSignal: "GoAhead" };
    expect(processUpgradeGoAheadSignal(agg, "GoAhead", false)).toBe("alreadyProcessed");
    expect(() => processUpgradeGoAheadSignal(agg, null, false)).toThrow(
      /assertion `left == right` failed\n {2}left: None\n right: Some\(GoAhead\)/,
    );
  });

  it("on_initialize fills in the last ancestor's head hash only", () => {
    const a = Ancestor.newUnchecked(UsedBandwidth.default(), null);
    const parent: Hash = repeatByte(7);
    const s = onInitialize(
      { unincludedSegment: [a, a], aggregatedUnincludedSegment: null },
      parent,
    );
    expect(s.unincludedSegment.map((x) => x.paraHeadHash)).toEqual([null, parent]);
    expect(onInitialize(EMPTY_UNINCLUDED_SEGMENT, parent)).toBe(EMPTY_UNINCLUDED_SEGMENT);
  });
});

describe("on_finalize bookkeeping", () => {
  const messagingState: MessagingStateSnapshot = {
    relayDispatchQueueRemainingCapacity: { remainingCount: 5, remainingSize: 100 },
    egressChannels: new Map([
      [200, { maxCapacity: 3, maxTotalSize: 30, maxMessageSize: 10, msgCount: 1, totalSize: 5 }],
      [300, { maxCapacity: 3, maxTotalSize: 30, maxMessageSize: 10, msgCount: 0, totalSize: 0 }],
    ]),
  };
  const agg: SegmentTracker = {
    usedBandwidth: {
      umpMsgCount: 7,
      umpTotalBytes: 40,
      hrmpOutgoing: new Map([
        [200, { msgCount: 5, totalBytes: 10 }],
        [400, { msgCount: 1, totalBytes: 1 }], // a closed channel
      ]),
    },
    hrmpWatermark: 3,
    consumedGoAheadSignal: null,
  };

  it("adjust_egress_bandwidth_limits caps usage at the channel capacity and saturates UMP", () => {
    const adjusted = adjustEgressBandwidthLimits(messagingState, agg);
    expect(adjusted.egressChannels.get(200)).toMatchObject({ msgCount: 3, totalSize: 15 });
    expect(adjusted.egressChannels.get(300)).toMatchObject({ msgCount: 0, totalSize: 0 });
    expect(adjusted.egressChannels.has(400)).toBe(false);
    expect(adjusted.relayDispatchQueueRemainingCapacity).toEqual({
      remainingCount: 0,
      remainingSize: 60,
    });
    expect(adjustEgressBandwidthLimits(messagingState, null)).toBe(messagingState);
    // The input is not mutated.
    expect(messagingState.egressChannels.get(200)?.msgCount).toBe(1);
  });

  it("upward messages: the longest prefix within count and size", () => {
    const msgs = [3, 4, 5, 6].map((n) => new Uint8Array(n));
    expect(takeUpwardMessages(msgs, 10, 12, 10)).toMatchObject({
      umpMsgCount: 3,
      umpTotalBytes: 12,
    });
    expect(takeUpwardMessages(msgs, 10, 11, 10)).toMatchObject({
      umpMsgCount: 2,
      umpTotalBytes: 7,
    });
    expect(takeUpwardMessages(msgs, 10, 100, 1)).toMatchObject({
      umpMsgCount: 1,
      umpTotalBytes: 3,
    });
    const r = takeUpwardMessages(msgs, 2, 100, 10);
    expect(r.sent).toHaveLength(2);
    expect(r.pending).toHaveLength(2);
  });

  it("the ancestor consumes the go-ahead unless an ancestor did; the watermark is Head/Trunk", () => {
    const total = OutboundBandwidthLimits.fromRelayChainState(messagingState);
    let s = onFinalizeUnincludedSegment(EMPTY_UNINCLUDED_SEGMENT, {
      usedBandwidth: {
        umpMsgCount: 1,
        umpTotalBytes: 10,
        hrmpOutgoing: new Map([[200, { msgCount: 1, totalBytes: 5 }]]),
      },
      relayUpgradeGoAhead: "GoAhead",
      hrmpWatermark: 9,
      relayParentNumber: 9,
      totalBandwidthOut: total,
    });
    expect(s.unincludedSegment[0]?.consumedGoAheadSignal).toBe("GoAhead");
    expect(s.aggregatedUnincludedSegment?.hrmpWatermark).toBe(9);
    s = onInitialize(s, repeatByte(1));
    s = onFinalizeUnincludedSegment(s, {
      usedBandwidth: UsedBandwidth.default(),
      relayUpgradeGoAhead: "GoAhead",
      hrmpWatermark: 9,
      relayParentNumber: 10,
      totalBandwidthOut: total,
    });
    expect(s.unincludedSegment[1]?.consumedGoAheadSignal).toBeNull();
    expect(s.aggregatedUnincludedSegment?.hrmpWatermark).toBe(9);
    expect(() =>
      onFinalizeUnincludedSegment(s, {
        usedBandwidth: UsedBandwidth.default(),
        relayUpgradeGoAhead: null,
        hrmpWatermark: 8,
        relayParentNumber: 10,
        totalBandwidthOut: total,
      }),
    ).toThrow("unincluded segment limits exceeded");
  });
});

describe("SelectCore", () => {
  it("DefaultCoreSelector and LookaheadCoreSelector use the low byte of the block number", () => {
    expect(DefaultCoreSelector.selectedCore(258)).toEqual({ selector: 2, claimQueueOffset: 0 });
    expect(DefaultCoreSelector.selectNextCore(255)).toEqual({ selector: 0, claimQueueOffset: 0 });
    expect(LookaheadCoreSelector.selectedCore(7)).toEqual({ selector: 7, claimQueueOffset: 1 });
    expect(LookaheadCoreSelector.selectNextCore(7)).toEqual({ selector: 8, claimQueueOffset: 1 });
  });
});
