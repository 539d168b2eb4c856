/**
 * `ClaimQueueState` (collator protocol, current generation, C3): windows over a path of relay
 * blocks and their projected future blocks, claims taking the first free matching slot.
 */
import { describe, expect, it } from "vitest";
import { ClaimQueueState } from "../../../src/node/network/collator-protocol/claim-queue-state.ts";

const A = 2000;
const B = 2001;

describe("ClaimQueueState", () => {
  it("knows nothing of a relay parent not added", () => {
    const cq = new ClaimQueueState();
    expect(cq.canClaimAt("0x01", A)).toBe(false);
    expect(cq.claimAt("0x01", A)).toBe(false);
    expect(cq.unclaimedAt("0x01")).toEqual([]);
  });

  it("a relay parent's window is its own slot and the next claim-queue-length - 1", () => {
    const cq = new ClaimQueueState();
    cq.addLeaf("0x01", [A, B, A]);
    expect(cq.unclaimedAt("0x01")).toEqual([A, B, A]);
    expect(cq.claimAt("0x01", A)).toBe(true);
    expect(cq.claimAt("0x01", A)).toBe(true); // the third slot, a future block's
    expect(cq.claimAt("0x01", A)).toBe(false);
    expect(cq.unclaimedAt("0x01")).toEqual([B]);
  });

  it("claims at an older block use the slots of later blocks, which inherit them", () => {
    const cq = new ClaimQueueState();
    cq.addLeaf("0x01", [A, A, A]);
    cq.claimAt("0x01", A);
    cq.claimAt("0x01", A); // takes block 2's slot (still a future block)
    cq.addLeaf("0x02", [A, A, A]);
    // Block 2's own slot is taken: its window has two free slots left.
    expect(cq.unclaimedAt("0x02")).toEqual([A, A]);
    cq.claimAt("0x02", A);
    cq.claimAt("0x02", A);
    expect(cq.canClaimAt("0x02", A)).toBe(false);
    expect(cq.canClaimAt("0x01", A)).toBe(false);
  });

  it("a claim projected for a para the next block no longer schedules is released", () => {
    const cq = new ClaimQueueState();
    cq.addLeaf("0x01", [A, A]);
    cq.claimAt("0x01", A);
    cq.claimAt("0x01", A); // the future slot of block 2
    cq.addLeaf("0x02", [B, A]); // block 2's slot now belongs to B: the claim is dropped
    expect(cq.unclaimedAt("0x02")).toEqual([B, A]);
  });

  it("only a para's own slots can be claimed", () => {
    const cq = new ClaimQueueState();
    cq.addLeaf("0x01", [B, B, A]);
    expect(cq.claimAt("0x01", A)).toBe(true);
    expect(cq.canClaimAt("0x01", A)).toBe(false);
    expect(cq.unclaimedAt("0x01")).toEqual([B, B]);
  });
});
