import { describe, expect, it } from "vitest";
import { repeatByte, ZERO_HASH } from "../../src/lib/hex.ts";
import {
  acquireInfo,
  hypotheticalEarliestBlockNumber,
  newAllowedRelayParentsTracker,
  newSharedState,
  scheduledSession,
  sharedOnNewSession,
  trackerOnNewSession,
  trackerUpdate,
} from "../../src/relay/shared.ts";

const NO_CQ = new Map<number, number[]>();

// Ported from polkadot/runtime/parachains/src/shared/tests.rs (G2).
describe("AllowedRelayParentsTracker", () => {
  it("tracker_earliest_block_number", () => {
    const tracker = newAllowedRelayParentsTracker();
    // Test it on an empty tracker.
    expect(hypotheticalEarliestBlockNumber(tracker, 1, 5)).toBe(1);
    // Push a single block into the tracker, suppose max capacity is 1.
    trackerUpdate(tracker, ZERO_HASH, ZERO_HASH, NO_CQ, 0, 0);
    expect(hypotheticalEarliestBlockNumber(tracker, 1, 0)).toBe(1);
    // Test a greater capacity.
    const maxAncestryLen = 4;
    const now = 4;
    for (let i = 1; i < now; i++) {
      trackerUpdate(tracker, repeatByte(i), ZERO_HASH, NO_CQ, i, maxAncestryLen);
      expect(hypotheticalEarliestBlockNumber(tracker, i + 1, maxAncestryLen)).toBe(0);
    }
    // Capacity exceeded.
    trackerUpdate(tracker, ZERO_HASH, ZERO_HASH, NO_CQ, now, maxAncestryLen);
    // The hash 0x00.. is still the oldest entry: the duplicate is ignored, the buffer keeps its 4
    // entries and the earliest block is now + 1 - 4.
    expect(tracker.buffer.length).toBe(4);
    expect(hypotheticalEarliestBlockNumber(tracker, now + 1, maxAncestryLen)).toBe(1);
  });

  it("tracker_claim_queue_transpose", () => {
    const tracker = newAllowedRelayParentsTracker();
    const cq = new Map([
      [0, [0, 1, 2]],
      [1, [0, 0, 100]],
      [2, [1, 2, 100]],
    ]);
    trackerUpdate(tracker, ZERO_HASH, ZERO_HASH, cq, 1, 3);
    const info = acquireInfo(tracker, ZERO_HASH, null)!.info;
    const at = (para: number, depth: number) => info.claimQueue.get(para)?.get(depth);
    expect(at(0, 0)).toEqual(new Set([0, 1]));
    expect(at(1, 0)).toEqual(new Set([2]));
    expect(at(2, 0)).toBeUndefined();
    expect(at(100, 0)).toBeUndefined();
    expect(at(0, 1)).toEqual(new Set([1]));
    expect(at(1, 1)).toEqual(new Set([0]));
    expect(at(2, 1)).toEqual(new Set([2]));
    expect(at(100, 1)).toBeUndefined();
    expect(at(0, 2)).toBeUndefined();
    expect(at(1, 2)).toBeUndefined();
    expect(at(2, 2)).toEqual(new Set([0]));
    expect(at(100, 2)).toEqual(new Set([1, 2]));
  });

  it("tracker_acquire_info", () => {
    const tracker = newAllowedRelayParentsTracker();
    const maxAncestryLen = 2;
    const blocks: [string, string][] = [
      [repeatByte(0), repeatByte(10)],
      [repeatByte(1), repeatByte(11)],
      [repeatByte(2), repeatByte(12)],
    ];
    const [rp0, sr0] = blocks[0]!;
    trackerUpdate(tracker, rp0, sr0, NO_CQ, 0, maxAncestryLen);
    expect(acquireInfo(tracker, rp0, null)).toMatchObject({ info: { stateRoot: sr0 }, number: 0 });

    // Try to push a duplicate. Should be ignored.
    trackerUpdate(tracker, rp0, repeatByte(13), NO_CQ, 0, maxAncestryLen);
    expect(tracker.buffer.length).toBe(1);
    expect(acquireInfo(tracker, rp0, null)).toMatchObject({ info: { stateRoot: sr0 }, number: 0 });

    trackerUpdate(tracker, blocks[1]![0], blocks[1]![1], NO_CQ, 1, maxAncestryLen);
    trackerUpdate(tracker, blocks[2]![0], blocks[2]![1], NO_CQ, 2, maxAncestryLen);
    for (const [n, [rp, sr]] of blocks.slice(0, 2).entries()) {
      expect(acquireInfo(tracker, rp, null)).toMatchObject({ info: { stateRoot: sr }, number: n });
      expect(acquireInfo(tracker, rp, 2)).toBeNull();
    }
    for (const [i, [rp, sr]] of blocks.slice(1).entries()) {
      const n = i + 1;
      // Equal relay-parent numbers are allowed, only going backwards is not.
      expect(acquireInfo(tracker, rp, n - 1)).toMatchObject({ info: { stateRoot: sr }, number: n });
      expect(acquireInfo(tracker, rp, n)).toMatchObject({ number: n });
    }
  });

  it("keeps at most maxAncestryLen + 1 relay parents, the newest always allowed", () => {
    const tracker = newAllowedRelayParentsTracker();
    for (let i = 0; i < 10; i++) trackerUpdate(tracker, repeatByte(i), ZERO_HASH, NO_CQ, i, 2);
    expect(tracker.buffer.map((b) => b.relayParent)).toEqual([7, 8, 9].map((i) => repeatByte(i)));
    expect(acquireInfo(tracker, repeatByte(6), null)).toBeNull();
    expect(acquireInfo(tracker, repeatByte(9), null)?.number).toBe(9);
    expect(hypotheticalEarliestBlockNumber(tracker, 10, 2)).toBe(8);
    trackerUpdate(tracker, repeatByte(10), ZERO_HASH, NO_CQ, 10, 0);
    expect(tracker.buffer.length).toBe(1);
  });

  it("is cleared on session change", () => {
    const shared = newSharedState();
    trackerUpdate(shared.allowedRelayParents, repeatByte(1), ZERO_HASH, NO_CQ, 1, 5);
    const keys = [repeatByte(0xa), repeatByte(0xb), repeatByte(0xc)];
    const active = sharedOnNewSession(shared, 3, keys, [2, 0, 1], 2);
    expect(active).toEqual([repeatByte(0xc), repeatByte(0xa)]);
    expect(shared.activeValidatorIndices).toEqual([2, 0]);
    expect(shared.currentSessionIndex).toBe(3);
    expect(scheduledSession(shared)).toBe(5);
    expect(shared.allowedRelayParents.buffer).toEqual([]);
    expect(acquireInfo(shared.allowedRelayParents, repeatByte(1), null)).toBeNull();
    trackerUpdate(shared.allowedRelayParents, repeatByte(1), ZERO_HASH, NO_CQ, 1, 5);
    trackerOnNewSession(shared.allowedRelayParents);
    expect(shared.allowedRelayParents.buffer.length).toBe(0);
  });

  it("panics where Rust's unsigned subtraction would underflow", () => {
    const tracker = newAllowedRelayParentsTracker();
    trackerUpdate(tracker, repeatByte(1), ZERO_HASH, NO_CQ, 1, 5);
    trackerUpdate(tracker, repeatByte(2), ZERO_HASH, NO_CQ, 2, 5);
    expect(() => hypotheticalEarliestBlockNumber(tracker, 1, 5)).toThrow(/overflow/);
  });
});
