import { describe, expect, it } from "vitest";
import { RuntimePanic } from "../../src/lib/assert.ts";
import { decodeHeadData, type ParaBlock } from "../../src/parachain/block.ts";
import { Transfers } from "../../src/parachain/ledger.ts";
import { canBuildUpon, executeBlock } from "../../src/parachain/runtime.ts";
import { hashHex } from "../../src/primitives/hashing.ts";
import { decodeUmpSignal, UMP_SEPARATOR } from "../../src/primitives/ump.ts";
import { buildOn, createGenesis, genesisTip, paraSpec } from "./chain-helpers.ts";

function panicOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof RuntimePanic) return e.message;
    throw e;
  }
  throw new Error("expected a runtime panic");
}

const transfers = [
  { from: 1, to: 2, amount: 10, nonce: 0 },
  { from: 1, to: 3, amount: 5, nonce: 1 },
  { from: 2, to: 1, amount: 7, nonce: 0 },
];

describe("block execution", () => {
  const genesis = createGenesis(paraSpec("async"));

  it("builds a block whose re-execution gives the same header, state and outputs", () => {
    const b1 = buildOn(genesis, genesisTip(genesis), { relay: 5, transfers });
    const again = executeBlock(genesis.state, b1.block);
    expect(again.headHash).toBe(b1.executed.headHash);
    expect(again.state.stateRoot).toBe(b1.executed.state.stateRoot);
    expect(again.outputs).toEqual(b1.executed.outputs);
    expect(again.weightUs).toBe(3 * 200);
    const ledger = again.state.ledger;
    expect(ledger.balances[1]).toBe(genesis.state.ledger.balances[1]! - 15 + 7);
    expect(ledger.nonces[1]).toBe(2);
    // Head data is the encoded header; its hash names the block.
    expect(hashHex(again.outputs.headData)).toBe(again.headHash);
    const header = decodeHeadData(again.outputs.headData);
    expect(header.number).toBe(1);
    expect(header.parentHash).toBe(genesis.headHash);
    expect(header.digest.auraSlot).toBe(5);
    expect(header.digest.relayParentNumber).toBe(5);
    expect(again.outputs.hrmpWatermark).toBe(5);
    expect(again.outputs.upwardMessages).toEqual([]);
    // The next block's on_initialize fills the ancestor's head hash.
    expect(again.state.segment.unincludedSegment).toHaveLength(1);
    expect(again.state.relaySlotInfo).toEqual([5, 1]);
  });

  it("emits the UMP separator and SelectCore(selector, offset) for a block with CoreInfo", () => {
    const b = buildOn(genesis, genesisTip(genesis), {
      relay: 5,
      coreInfo: { selector: 2, claimQueueOffset: 0, numberOfCores: 3 },
    });
    const msgs = b.executed.outputs.upwardMessages;
    expect(msgs).toHaveLength(2);
    expect(msgs[0]).toEqual(UMP_SEPARATOR);
    expect(decodeUmpSignal(msgs[1]!)).toEqual({
      kind: "SelectCore",
      coreSelector: 2,
      claimQueueOffset: 0,
    });
    expect(decodeHeadData(b.executed.headData).digest.coreInfo).toEqual({
      selector: 2,
      claimQueueOffset: 0,
      numberOfCores: 3,
    });
  });

  it("panics when the velocity limit is reached: velocity + 1 blocks per relay slot", () => {
    const b1 = buildOn(genesis, genesisTip(genesis), { relay: 5, includedHead: genesis.headData });
    const b2 = buildOn(genesis, b1.tip, { relay: 5, includedHead: genesis.headData });
    expect(b2.executed.state.relaySlotInfo).toEqual([5, 2]);
    expect(
      panicOf(() => buildOn(genesis, b2.tip, { relay: 5, includedHead: genesis.headData })),
    ).toBe(
      "authored blocks limit is reached for the slot: relay_chain_slot=Slot(5), authored=2, velocity=1",
    );
    // A new relay slot resets the count.
    expect(() =>
      buildOn(genesis, b2.tip, { relay: 6, includedHead: genesis.headData }),
    ).not.toThrow();
  });

  it("panics when the para slot does not match the relay-derived slot (relay slot duration mismatch)", () => {
    // The runtime believes the relay slot is 12 s; the collator derives the para slot with 6 s.
    const g = createGenesis(
      paraSpec("async", { runtime: { relayChainSlotDurationMillis: 12000 } }),
    );
    expect(panicOf(() => buildOn(g, genesisTip(g), { relay: 5, auraSlot: 5 }))).toBe(
      "Parachain slot must match relay-derived slot: parachain_slot=Slot(5), derived_from_relay_slot=Slot(10) velocity=1",
    );
  });

  it("panics when the unincluded segment is full (capacity 1, parent not included)", () => {
    const g = createGenesis(paraSpec("async", { runtime: { unincludedSegmentCapacity: 1 } }));
    const b1 = buildOn(g, genesisTip(g), { relay: 1, includedHead: g.headData });
    expect(panicOf(() => buildOn(g, b1.tip, { relay: 2, includedHead: g.headData }))).toBe(
      "No space left for the block in the unincluded segment: new_len(1) < capacity(1)",
    );
    // Once block 1 is included, block 2 fits.
    expect(() => buildOn(g, b1.tip, { relay: 3, includedHead: b1.tip.head })).not.toThrow();
  });

  it("panics when the hook expects the parent to be included and it is not", () => {
    const g = createGenesis(paraSpec("sync"));
    const b1 = buildOn(g, genesisTip(g), { relay: 2, includedHead: g.headData });
    const message = panicOf(() => buildOn(g, b1.tip, { relay: 4, includedHead: g.headData }));
    expect(message).toContain("expected parent to be included");
    expect(() => buildOn(g, b1.tip, { relay: 4, includedHead: b1.tip.head })).not.toThrow();
  });

  it("panics on a relay parent number that does not strictly increase (strict)", () => {
    const g = createGenesis(paraSpec("sync"));
    const b1 = buildOn(g, genesisTip(g), { relay: 2, includedHead: g.headData });
    expect(
      panicOf(() => buildOn(g, b1.tip, { relay: 2, auraSlot: 2, includedHead: b1.tip.head })),
    ).toBe("Relay chain block number needs to strictly increase between Parachain blocks!");
    // The async runtime (monotonic) accepts the same relay parent twice.
    const b = buildOn(genesis, genesisTip(genesis), { relay: 2 });
    expect(() =>
      buildOn(genesis, b.tip, { relay: 2, includedHead: genesis.headData }),
    ).not.toThrow();
  });

  it("panics on a second block in one Aura slot without AllowMultipleBlocksPerSlot", () => {
    const g = createGenesis(paraSpec("sync"));
    // Relay blocks 2 and 3 both map to para slot 1 (12 s para slots).
    const b1 = buildOn(g, genesisTip(g), { relay: 2, includedHead: g.headData });
    expect(panicOf(() => buildOn(g, b1.tip, { relay: 3, includedHead: b1.tip.head }))).toBe(
      "Slot must increase",
    );
    expect(
      panicOf(() =>
        buildOn(genesis, buildOn(genesis, genesisTip(genesis), { relay: 5 }).tip, {
          relay: 5,
          auraSlot: 4,
          timestampMs: 24000,
        }),
      ),
    ).toBe("Slot must not decrease");
  });

  it("panics on a relay state proof that is not against the relay parent's storage root", () => {
    const tip = genesisTip(genesis);
    const b = buildOn(genesis, tip, { relay: 5 });
    const forged: ParaBlock = {
      ...b.block,
      inherent: {
        ...b.block.inherent,
        relayChainState: { ...b.block.inherent.relayChainState, stateRoot: genesis.headHash },
      },
    };
    expect(panicOf(() => executeBlock(genesis.state, forged))).toBe(
      "Invalid relay chain state proof",
    );
  });

  it("panics on an invalid or over-weight transaction in a block", () => {
    const tip = genesisTip(genesis);
    expect(
      panicOf(() =>
        buildOn(genesis, tip, { relay: 5, transfers: [{ from: 1, to: 2, amount: 1, nonce: 3 }] }),
      ),
    ).toBe("Transaction will be valid in the future");
    expect(
      panicOf(() =>
        buildOn(genesis, tip, {
          relay: 5,
          transfers: [{ from: 1, to: 2, amount: 2e12, nonce: 0 }],
        }),
      ),
    ).toBe("Inability to pay some fees (e.g. account balance too low)");
    const g = createGenesis(paraSpec("async", { runtime: { maximumBlockWeightMs: 0.5 } }));
    // 0.5 ms / 200 µs: two transfers fit, the third would exhaust the block.
    expect(panicOf(() => buildOn(g, genesisTip(g), { relay: 5, transfers }))).toBe(
      "Transaction would exhaust the block limits",
    );
  });

  it("panics on a block whose header does not match its execution", () => {
    const b = buildOn(genesis, genesisTip(genesis), { relay: 5, transfers });
    const badRoot: ParaBlock = {
      ...b.block,
      header: { ...b.block.header, stateRoot: genesis.headHash },
    };
    expect(panicOf(() => executeBlock(genesis.state, badRoot))).toBe(
      "Storage root must match that calculated.",
    );
    const moreTransfers = Transfers.clone(b.block.transfers);
    moreTransfers.amount[0] = 11;
    const changedTx: ParaBlock = { ...b.block, transfers: moreTransfers };
    // Balances differ, so the state root is the first mismatch.
    expect(panicOf(() => executeBlock(genesis.state, changedTx))).toBe(
      "Storage root must match that calculated.",
    );
    const badDigest: ParaBlock = {
      ...b.block,
      header: { ...b.block.header, digest: { ...b.block.header.digest, relayParentNumber: 4 } },
    };
    expect(panicOf(() => executeBlock(genesis.state, badDigest))).toBe(
      "Digest item must match that calculated.",
    );
    // An extrinsic that leaves the state alone (the proof's upgrade restriction is not stored).
    const badExtrinsics: ParaBlock = {
      ...b.block,
      inherent: {
        ...b.block.inherent,
        relayChainState: { ...b.block.inherent.relayChainState, upgradeRestriction: "Present" },
      },
    };
    expect(panicOf(() => executeBlock(genesis.state, badExtrinsics))).toBe(
      "Transactions trie root must be valid.",
    );
  });

  it("can_build_upon: velocity, capacity and slot order; absent with ExpectParentIncluded", () => {
    const included = genesis.headHash;
    const b1 = buildOn(genesis, genesisTip(genesis), { relay: 5, includedHead: genesis.headData });
    expect(canBuildUpon(b1.tip.state, included, 5)).toBe(true);
    const b2 = buildOn(genesis, b1.tip, { relay: 5, includedHead: genesis.headData });
    expect(canBuildUpon(b2.tip.state, included, 5)).toBe(false); // velocity
    expect(canBuildUpon(b2.tip.state, included, 4)).toBe(false); // backwards
    expect(canBuildUpon(b2.tip.state, included, 6)).toBe(true);
    const b3 = buildOn(genesis, b2.tip, { relay: 6, includedHead: genesis.headData });
    expect(canBuildUpon(b3.tip.state, included, 7)).toBe(false); // capacity 3
    // With block 1 included, two remain: room again.
    expect(canBuildUpon(b3.tip.state, b1.tip.hash, 7)).toBe(true);
    const sync = createGenesis(paraSpec("sync"));
    expect(canBuildUpon(sync.state, sync.headHash, 1)).toBeNull();
  });
});
