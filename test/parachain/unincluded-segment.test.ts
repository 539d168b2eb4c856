import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuntimePanic } from "../../src/lib/assert.ts";
import { repeatByte } from "../../src/lib/hex.ts";
import {
  Ancestor,
  HrmpChannelUpdate,
  type HrmpOutboundLimits,
  HrmpWatermarkUpdate,
  OutboundBandwidthLimits,
  SegmentTracker,
  sizeAfterIncluded,
  U32_MAX,
  UsedBandwidth,
} from "../../src/parachain/unincluded-segment.ts";

const limitsOf = (
  hrmp: [number, HrmpOutboundLimits][],
  ump: [number, number] = [0, 0],
): OutboundBandwidthLimits => ({
  umpMessagesRemaining: ump[0],
  umpBytesRemaining: ump[1],
  hrmpOutgoing: new Map(hrmp),
});

const usedHrmp = (hrmp: [number, HrmpChannelUpdate][]): UsedBandwidth => ({
  umpMsgCount: 0,
  umpTotalBytes: 0,
  hrmpOutgoing: new Map(hrmp),
});

const usedUmp = (count: number, bytes: number): UsedBandwidth => ({
  umpMsgCount: count,
  umpTotalBytes: bytes,
  hrmpOutgoing: new Map(),
});

const ancestor = (used: UsedBandwidth, signal: "GoAhead" | "Abort" | null = null): Ancestor =>
  Ancestor.newUnchecked(used, signal);

/** Appends and expects success, returning the new tracker. */
function appendOk(
  t: SegmentTracker,
  a: Ancestor,
  w: HrmpWatermarkUpdate,
  l: OutboundBandwidthLimits,
): SegmentTracker {
  const r = SegmentTracker.append(t, a, w, l);
  if (!r.ok) throw new Error(`unexpected error ${JSON.stringify(r.error)}`);
  return r.value;
}

describe("unincluded_segment.rs", () => {
  it("outbound_limits_constructed_correctly", () => {
    const limits = OutboundBandwidthLimits.fromRelayChainState({
      relayDispatchQueueRemainingCapacity: { remainingCount: 1, remainingSize: 50 },
      egressChannels: new Map([
        [0, { maxMessageSize: 15, msgCount: 5, maxCapacity: 7, totalSize: 50, maxTotalSize: 60 }],
        [
          1,
          { maxMessageSize: 15, msgCount: 40, maxCapacity: 50, totalSize: 500, maxTotalSize: 500 },
        ],
      ]),
    });
    expect(limits.umpMessagesRemaining).toBe(1);
    expect(limits.umpBytesRemaining).toBe(50);
    expect(limits.hrmpOutgoing.get(0)).toEqual({ bytesRemaining: 10, messagesRemaining: 2 });
    expect(limits.hrmpOutgoing.get(1)).toEqual({ bytesRemaining: 0, messagesRemaining: 10 });
  });

  it("outbound limits saturate at zero when a channel is over its capacity", () => {
    const limits = OutboundBandwidthLimits.fromRelayChainState({
      relayDispatchQueueRemainingCapacity: { remainingCount: 0, remainingSize: 0 },
      egressChannels: new Map([
        [3, { maxMessageSize: 1, msgCount: 9, maxCapacity: 7, totalSize: 70, maxTotalSize: 60 }],
      ]),
    });
    expect(limits.hrmpOutgoing.get(3)).toEqual({ bytesRemaining: 0, messagesRemaining: 0 });
  });

  it("hrmp_msg_count_limits", () => {
    const limits = limitsOf([
      [0, { bytesRemaining: U32_MAX, messagesRemaining: 5 }],
      [1, { bytesRemaining: U32_MAX, messagesRemaining: 3 }],
    ]);
    let update = HrmpChannelUpdate.default();
    expect(HrmpChannelUpdate.isEmpty(update)).toBe(true);
    for (let i = 0; i < 5; i++) {
      const r = HrmpChannelUpdate.append(update, { msgCount: 1, totalBytes: 10 }, 0, limits);
      expect(r.ok).toBe(true);
      if (r.ok) update = r.value;
    }
    expect(HrmpChannelUpdate.append(update, { msgCount: 1, totalBytes: 10 }, 0, limits)).toEqual({
      ok: false,
      error: {
        code: "HrmpMessagesOverflow",
        recipient: 0,
        messagesRemaining: 5,
        messagesSubmitted: 6,
      },
    });

    const r = HrmpChannelUpdate.append(
      HrmpChannelUpdate.default(),
      { msgCount: 2, totalBytes: 10 },
      1,
      limits,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(HrmpChannelUpdate.append(r.value, { msgCount: 3, totalBytes: 10 }, 1, limits)).toEqual({
      ok: false,
      error: {
        code: "HrmpMessagesOverflow",
        recipient: 1,
        messagesRemaining: 3,
        messagesSubmitted: 5,
      },
    });
  });

  it("hrmp_bytes_limits", () => {
    const limits = limitsOf([[0, { bytesRemaining: 25, messagesRemaining: U32_MAX }]]);
    let update = HrmpChannelUpdate.default();
    for (let i = 0; i < 5; i++) {
      const r = HrmpChannelUpdate.append(update, { msgCount: 1, totalBytes: 4 }, 0, limits);
      if (!r.ok) throw new Error("update is within the limits");
      update = r.value;
    }
    expect(update).toEqual({ msgCount: 5, totalBytes: 20 });
    expect(HrmpChannelUpdate.append(update, { msgCount: 1, totalBytes: 6 }, 0, limits)).toEqual({
      ok: false,
      error: { code: "HrmpBytesOverflow", recipient: 0, bytesRemaining: 25, bytesSubmitted: 26 },
    });
  });

  it("messages are checked before bytes", () => {
    const limits = limitsOf([[7, { bytesRemaining: 1, messagesRemaining: 1 }]]);
    const r = HrmpChannelUpdate.append(
      HrmpChannelUpdate.default(),
      { msgCount: 2, totalBytes: 2 },
      7,
      limits,
    );
    expect(r).toMatchObject({ ok: false, error: { code: "HrmpMessagesOverflow" } });
  });

  it("panics when the limits of a declared channel are missing", () => {
    expect(() =>
      HrmpChannelUpdate.append(
        HrmpChannelUpdate.default(),
        { msgCount: 1, totalBytes: 1 },
        9,
        limitsOf([[0, { bytesRemaining: 9, messagesRemaining: 9 }]]),
      ),
    ).toThrow(new RuntimePanic("limit for declared hrmp channel must be present; qed"));
  });

  it("hrmp_limits_with_segment", () => {
    const limits = limitsOf([
      [0, { bytesRemaining: 30, messagesRemaining: 10 }],
      [1, { bytesRemaining: 20, messagesRemaining: 3 }],
    ]);
    let segment = SegmentTracker.default();
    const ancestor0 = ancestor(usedHrmp([[0, { msgCount: 1, totalBytes: 6 }]]));
    segment = appendOk(segment, ancestor0, HrmpWatermarkUpdate.trunk(0), limits);
    for (let watermark = 1; watermark < 5; watermark++) {
      const a = ancestor(usedHrmp([[0, { msgCount: 1, totalBytes: 6 }]]));
      segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(watermark), limits);
    }
    const ancestor5 = ancestor(usedHrmp([[0, { msgCount: 1, totalBytes: 1 }]]));
    expect(SegmentTracker.append(segment, ancestor5, HrmpWatermarkUpdate.trunk(5), limits)).toEqual(
      {
        ok: false,
        error: { code: "HrmpBytesOverflow", recipient: 0, bytesRemaining: 30, bytesSubmitted: 31 },
      },
    );
    // Remove the first ancestor from the segment to make space.
    segment = SegmentTracker.subtract(segment, ancestor0);
    segment = appendOk(segment, ancestor5, HrmpWatermarkUpdate.trunk(5), limits);

    const a = ancestor(usedHrmp([[1, { msgCount: 3, totalBytes: 10 }]]));
    segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(6), limits);
    expect(SegmentTracker.append(segment, a, HrmpWatermarkUpdate.trunk(7), limits)).toEqual({
      ok: false,
      error: {
        code: "HrmpMessagesOverflow",
        recipient: 1,
        messagesRemaining: 3,
        messagesSubmitted: 6,
      },
    });
  });

  it("ump_limits_with_segment", () => {
    const limits = limitsOf([], [5, 50]);
    let segment = SegmentTracker.default();
    segment = appendOk(segment, ancestor(usedUmp(1, 10)), HrmpWatermarkUpdate.trunk(0), limits);
    for (let watermark = 1; watermark < 4; watermark++) {
      segment = appendOk(
        segment,
        ancestor(usedUmp(1, 10)),
        HrmpWatermarkUpdate.trunk(watermark),
        limits,
      );
    }
    expect(
      SegmentTracker.append(
        segment,
        ancestor(usedUmp(1, 30)),
        HrmpWatermarkUpdate.trunk(4),
        limits,
      ),
    ).toEqual({
      ok: false,
      error: { code: "UmpBytesOverflow", bytesRemaining: 50, bytesSubmitted: 70 },
    });
    const a = ancestor(usedUmp(1, 5));
    segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(4), limits);
    expect(SegmentTracker.append(segment, a, HrmpWatermarkUpdate.trunk(5), limits)).toEqual({
      ok: false,
      error: { code: "UmpMessagesOverflow", messagesRemaining: 5, messagesSubmitted: 6 },
    });
  });

  it("segment_hrmp_watermark", () => {
    const limits = limitsOf([]);
    const a = ancestor(UsedBandwidth.default());
    let segment = appendOk(SegmentTracker.default(), a, HrmpWatermarkUpdate.head(0), limits);
    // Equal Trunk is allowed (the newer rule).
    segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(0), limits);
    for (let watermark = 1; watermark < 5; watermark++) {
      segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(watermark), limits);
    }
    for (let watermark = 0; watermark < 4; watermark++) {
      expect(
        SegmentTracker.append(segment, a, HrmpWatermarkUpdate.trunk(watermark), limits),
      ).toEqual({
        ok: false,
        error: { code: "InvalidHrmpWatermark", submitted: watermark, latest: 4 },
      });
    }
    segment = appendOk(segment, a, HrmpWatermarkUpdate.trunk(5), limits);
    // Head updates are allowed even if the new watermark is smaller than the current one.
    segment = appendOk(segment, a, HrmpWatermarkUpdate.head(4), limits);
    expect(segment.hrmpWatermark).toBe(4);
  });

  it("segment_drops_empty_hrmp_channels", () => {
    const limits = limitsOf([
      [0, { bytesRemaining: U32_MAX, messagesRemaining: U32_MAX }],
      [1, { bytesRemaining: U32_MAX, messagesRemaining: U32_MAX }],
    ]);
    const ancestor0 = ancestor(usedHrmp([[0, { msgCount: 1, totalBytes: 1 }]]));
    const ancestor1 = ancestor(usedHrmp([[1, { msgCount: 3, totalBytes: 10 }]]));
    let segment = appendOk(
      SegmentTracker.default(),
      ancestor0,
      HrmpWatermarkUpdate.head(0),
      limits,
    );
    segment = appendOk(segment, ancestor1, HrmpWatermarkUpdate.head(1), limits);
    expect(segment.usedBandwidth.hrmpOutgoing.size).toBe(2);
    segment = SegmentTracker.subtract(segment, ancestor0);
    expect([...segment.usedBandwidth.hrmpOutgoing.keys()]).toEqual([1]);
    segment = SegmentTracker.subtract(segment, ancestor1);
    expect(segment.usedBandwidth.hrmpOutgoing.size).toBe(0);
  });

  it("segment_go_ahead_signal_is_unique", () => {
    const limits = limitsOf([]);
    const ancestor0 = ancestor(UsedBandwidth.default(), "GoAhead");
    let segment = appendOk(
      SegmentTracker.default(),
      ancestor0,
      HrmpWatermarkUpdate.head(0),
      limits,
    );
    segment = appendOk(
      segment,
      ancestor(UsedBandwidth.default()),
      HrmpWatermarkUpdate.head(1),
      limits,
    );
    const ancestor2 = ancestor(UsedBandwidth.default(), "Abort");
    expect(SegmentTracker.append(segment, ancestor2, HrmpWatermarkUpdate.head(2), limits)).toEqual({
      ok: false,
      error: { code: "UpgradeGoAheadAlreadyProcessed" },
    });
    segment = SegmentTracker.subtract(segment, ancestor0);
    expect(segment.consumedGoAheadSignal).toBeNull();
    segment = appendOk(segment, ancestor2, HrmpWatermarkUpdate.head(1), limits);
    expect(segment.consumedGoAheadSignal).toBe("Abort");
  });

  it("subtracting a block whose go-ahead signal the tracker does not hold panics", () => {
    const limits = limitsOf([]);
    const segment = appendOk(
      SegmentTracker.default(),
      ancestor(UsedBandwidth.default(), "GoAhead"),
      HrmpWatermarkUpdate.head(0),
      limits,
    );
    expect(() =>
      SegmentTracker.subtract(segment, ancestor(UsedBandwidth.default(), "Abort")),
    ).toThrow(/assertion `left == right` failed\n {2}left: Some\(GoAhead\)\n right: Some\(Abort\)/);
  });

  it("subtracting more than was appended is Rust's overflow panic", () => {
    const limits = limitsOf([], [10, 10]);
    const segment = appendOk(
      SegmentTracker.default(),
      ancestor(usedUmp(1, 1)),
      HrmpWatermarkUpdate.head(0),
      limits,
    );
    expect(() => SegmentTracker.subtract(segment, ancestor(usedUmp(2, 1)))).toThrow(
      "attempt to subtract with overflow",
    );
    expect(() =>
      SegmentTracker.subtract(segment, ancestor(usedHrmp([[4, { msgCount: 1, totalBytes: 1 }]]))),
    ).toThrow("entry's been inserted earlier with `append`; qed");
  });

  it("size_after_included_works", () => {
    const h = (b: number) => repeatByte(b);
    const segment = [h(0xa), h(0xb), h(0xc)].map((paraHeadHash) => ({ paraHeadHash }));
    expect(sizeAfterIncluded(h(0xa), segment)).toBe(2);
    expect(sizeAfterIncluded(h(0xb), segment)).toBe(1);
    expect(sizeAfterIncluded(h(0xc), segment)).toBe(0);
    expect(sizeAfterIncluded(h(0xd), segment)).toBe(3);
    expect(sizeAfterIncluded(h(0xd), [])).toBe(0);
  });

  it("HrmpWatermarkUpdate::new constrains the watermark to the relay parent", () => {
    expect(HrmpWatermarkUpdate.new(5, 5)).toEqual({ kind: "head", watermark: 5 });
    expect(HrmpWatermarkUpdate.new(7, 5)).toEqual({ kind: "head", watermark: 5 });
    expect(HrmpWatermarkUpdate.new(4, 5)).toEqual({ kind: "trunk", watermark: 4 });
  });

  it("a failed append leaves the tracker untouched", () => {
    const limits = limitsOf([[0, { bytesRemaining: 5, messagesRemaining: 5 }]], [1, 100]);
    const t0 = appendOk(
      SegmentTracker.default(),
      ancestor({ umpMsgCount: 1, umpTotalBytes: 3, hrmpOutgoing: new Map() }),
      HrmpWatermarkUpdate.head(3),
      limits,
    );
    const snapshot = structuredClone(t0);
    const r = SegmentTracker.append(
      t0,
      ancestor({
        umpMsgCount: 0,
        umpTotalBytes: 0,
        hrmpOutgoing: new Map([[0, { msgCount: 6, totalBytes: 1 }]]),
      }),
      HrmpWatermarkUpdate.head(4),
      limits,
    );
    expect(r.ok).toBe(false);
    expect(t0).toEqual(snapshot);
  });
});

describe("SegmentTracker properties", () => {
  // A block's channel update always carries a message (on_finalize counts one per message); an
  // empty one can be dropped from the aggregate by an earlier subtraction, and subtracting it
  // then panics in Rust too.
  const channelUpdate = fc.record({
    msgCount: fc.integer({ min: 1, max: 20 }),
    totalBytes: fc.integer({ min: 0, max: 200 }),
  });
  const used = fc.record({
    umpMsgCount: fc.integer({ min: 0, max: 20 }),
    umpTotalBytes: fc.integer({ min: 0, max: 200 }),
    hrmp: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), channelUpdate), { maxLength: 4 }),
  });
  const limits = limitsOf(
    [0, 1, 2, 3].map((p) => [p, { bytesRemaining: 10_000, messagesRemaining: 10_000 }]),
    [10_000, 100_000],
  );

  it("appending blocks then subtracting them oldest first returns to an empty bandwidth", () => {
    fc.assert(
      fc.property(fc.array(used, { maxLength: 8 }), (blocks) => {
        const ancestors = blocks.map((b) =>
          ancestor({
            umpMsgCount: b.umpMsgCount,
            umpTotalBytes: b.umpTotalBytes,
            hrmpOutgoing: new Map(b.hrmp),
          }),
        );
        let t = SegmentTracker.default();
        for (const [i, a] of ancestors.entries()) {
          t = appendOk(t, a, HrmpWatermarkUpdate.head(i), limits);
        }
        const totalUmp = ancestors.reduce((s, a) => s + a.usedBandwidth.umpMsgCount, 0);
        expect(t.usedBandwidth.umpMsgCount).toBe(totalUmp);
        for (const a of ancestors) t = SegmentTracker.subtract(t, a);
        expect(t.usedBandwidth).toEqual(UsedBandwidth.default());
        return true;
      }),
    );
  });

  it("an append succeeds exactly when every cumulative total stays within its limit", () => {
    fc.assert(
      fc.property(used, used, fc.integer({ min: 0, max: 40 }), (a, b, cap) => {
        const l = limitsOf(
          [0, 1, 2, 3].map((p) => [p, { bytesRemaining: cap * 10, messagesRemaining: cap }]),
          [cap, cap * 10],
        );
        const toUsed = (u: typeof a): UsedBandwidth => ({
          umpMsgCount: u.umpMsgCount,
          umpTotalBytes: u.umpTotalBytes,
          hrmpOutgoing: new Map(u.hrmp),
        });
        const first = UsedBandwidth.append(UsedBandwidth.default(), toUsed(a), l);
        if (!first.ok) return true;
        const second = UsedBandwidth.append(first.value, toUsed(b), l);
        const bm = new Map(b.hrmp);
        const fits =
          first.value.umpMsgCount + b.umpMsgCount <= cap &&
          first.value.umpTotalBytes + b.umpTotalBytes <= cap * 10 &&
          [...bm].every(([p, u]) => {
            const cur = first.value.hrmpOutgoing.get(p) ?? { msgCount: 0, totalBytes: 0 };
            return cur.msgCount + u.msgCount <= cap && cur.totalBytes + u.totalBytes <= cap * 10;
          });
        expect(second.ok).toBe(fits);
        if (second.ok) {
          const keys = [...second.value.hrmpOutgoing.keys()];
          expect(keys).toEqual([...keys].sort((x, y) => x - y));
        }
        return true;
      }),
    );
  });
});
