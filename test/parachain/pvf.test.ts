import { beforeAll, describe, expect, it } from "vitest";
import type { PoV } from "../../src/actors/protocol.ts";
import { resolveScenario } from "../../src/config/scenario.ts";
import type { Hash } from "../../src/lib/hex.ts";
import { type ParaBlock, povHash, povSizeBytes } from "../../src/parachain/block.ts";
import { genesisStore } from "../../src/parachain/genesis.ts";
import { Transfers } from "../../src/parachain/ledger.ts";
import { createPvf, ParaStateStore } from "../../src/parachain/pvf.ts";
import type { PersistedValidationData } from "../../src/primitives/codecs.ts";
import { hashHex } from "../../src/primitives/hashing.ts";
import { World } from "../../src/sim/world.ts";
import { buildOn, createGenesis, genesisTip, paraSpec } from "./chain-helpers.ts";

const spec = paraSpec("async");
const transfers = [
  { from: 1, to: 2, amount: 10, nonce: 0 },
  { from: 3, to: 4, amount: 20, nonce: 0 },
];

/** A chain genesis -> b1 -> b2 with the post-states stored, and the PoV of b2. */
function setup(memoise: boolean) {
  const genesis = createGenesis(spec);
  const store = genesisStore(genesis, memoise);
  const b1 = buildOn(genesis, genesisTip(genesis), { relay: 5, transfers });
  store.put(b1.executed.headHash, b1.executed.state);
  const b2 = buildOn(genesis, b1.tip, {
    relay: 6,
    transfers: [{ from: 1, to: 5, amount: 1, nonce: 1 }],
    includedHead: genesis.headData,
  });
  const pvd: PersistedValidationData = b2.block.inherent.validationData;
  const pov = {
    hash: povHash(b2.executed.headHash, b2.block.header.extrinsicsRoot),
    sizeBytes: povSizeBytes(b2.block, genesis.config.txProofBytes),
    blockData: b2.block,
  };
  return { genesis, store, b1, b2, pvd, pov, pvf: createPvf(store, genesis.config) };
}

describe("PVF", () => {
  it("accepts a collator's block: the outputs are the author's, the cost its weight", () => {
    const { pvf, pvd, pov, b2 } = setup(false);
    const r = pvf(pvd, pov);
    expect(r).toEqual({ kind: "Valid", outputs: b2.executed.outputs, cpuUs: 200 });
  });

  it("rejects a block with a changed transaction (re-executed, roots differ)", () => {
    const { pvf, pvd, pov, b2 } = setup(true);
    expect(pvf(pvd, pov).kind).toBe("Valid"); // memoised for the original block object
    const changed = Transfers.clone(b2.block.transfers);
    changed.amount[0] = 2;
    const tampered: ParaBlock = { ...b2.block, transfers: changed };
    const r = pvf(pvd, { ...pov, blockData: tampered });
    expect(r).toEqual({
      kind: "Invalid",
      reason: "Storage root must match that calculated.",
      cpuUs: 200,
    });
  });

  it("rejects a block presented with the wrong parent head", () => {
    const { pvf, pvd, pov, genesis } = setup(false);
    expect(pvf({ ...pvd, parentHead: genesis.headData }, pov)).toMatchObject({
      kind: "Invalid",
      reason: "Invalid parent hash",
    });
  });

  it("rejects validation data that differs from the block's inherent", () => {
    const { pvf, pvd, pov } = setup(false);
    expect(pvf({ ...pvd, relayParentNumber: 7 }, pov)).toMatchObject({
      reason: "Relay parent number doesn't match",
    });
    expect(pvf({ ...pvd, relayParentStorageRoot: pvd.parentHead.slice(0, 66) }, pov)).toMatchObject(
      {
        reason: "Relay parent storage root doesn't match",
      },
    );
  });

  it("rejects a block whose parent state is not in the witness store", () => {
    const { pvd, pov, genesis } = setup(false);
    const empty = new ParaStateStore(false);
    empty.put(genesis.headHash, genesis.state); // genesis only, not block 1
    expect(createPvf(empty, genesis.config)(pvd, pov)).toMatchObject({
      kind: "Invalid",
      reason: "Parent state is not in the PoV's storage witness",
    });
  });

  it("rejects an oversized PoV and a PoV whose hash does not bind its content", () => {
    const { pvf, pvd, pov, b1 } = setup(false);
    expect(pvf({ ...pvd, maxPovSize: pov.sizeBytes - 1 }, pov)).toMatchObject({
      kind: "Invalid",
      reason: `ParamsTooLarge(${pov.sizeBytes})`,
    });
    expect(pvf(pvd, { ...pov, hash: b1.executed.headHash })).toMatchObject({
      kind: "Invalid",
      reason: "PoVHashMismatch",
    });
    expect(pvf(pvd, { ...pov, sizeBytes: pov.sizeBytes - 128 })).toMatchObject({
      reason: "PoVHashMismatch",
    });
  });

  it("rejects block data that is not a para block", () => {
    const { pvf, pvd, pov } = setup(false);
    expect(pvf(pvd, { ...pov, blockData: "junk" })).toMatchObject({
      kind: "Invalid",
      reason: "Invalid block data",
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The world's PVF host: the one every validator of a simulated network executes candidates with.
// ---------------------------------------------------------------------------------------------

/** The world's validators are 3x slower than the collators that authored the blocks. */
const VALIDATOR_SPEED = 3;

describe("the world's PVF host", () => {
  let world: World;
  /** A candidate the network backed: its receipt's validation code, the backer's PVD and PoV. */
  let backed: {
    codeHash: Hash;
    headData: string;
    pvd: PersistedValidationData;
    pov: PoV;
  };

  beforeAll(() => {
    const r = resolveScenario({
      preset: "sync",
      crypto: "none",
      validatorSpeed: VALIDATOR_SPEED,
      warmupRelayBlocks: 1,
      relayBlocks: 4,
    });
    if (!r.ok) throw new Error(r.error.join("; "));
    world = new World(r.value, { keepHistory: true });
    world.run();
    const event = world.relayBlocks
      .flatMap((b) => b.events)
      .find((e) => e.kind === "CandidateBacked");
    if (event?.kind !== "CandidateBacked") throw new Error("nothing was backed");
    const data = world.validators
      .map((v) => v.availabilityStore.availableData(event.candidateHash))
      .find((d) => d !== undefined);
    if (!data) throw new Error(`no validator holds ${event.candidateHash}`);
    backed = {
      codeHash: event.receipt.descriptor.validationCodeHash,
      headData: event.headData,
      pvd: data.pvd,
      pov: data.pov,
    };
  });

  it("validates a block the network's collator authored: Valid, its outputs, CPU time = weight x validatorSpeed", () => {
    const authored = world.blocks.get(hashHex(backed.headData));
    expect(authored).toBeDefined();
    const r = world.pvf.execute(backed.codeHash, backed.pvd, backed.pov);
    expect(r.kind).toBe("Valid");
    if (r.kind !== "Valid") return;
    expect(r.outputs.headData).toBe(backed.headData);
    expect(authored!.weightUs).toBeGreaterThan(0);
    expect(r.cpuUs).toBe(authored!.weightUs * VALIDATOR_SPEED);
    // The para's own PVF (no host) takes the block's weight: the host scales it.
    const para = world.paras.find((p) => p.genesis.validationCodeHash === backed.codeHash)!;
    expect(para.pvf(backed.pvd, backed.pov)).toMatchObject({
      kind: "Valid",
      cpuUs: authored!.weightUs,
    });
  });

  it("rejects a validation code hash no para has", () => {
    const unknown = `0x${"5a".repeat(32)}`;
    expect(world.paras.some((p) => p.genesis.validationCodeHash === unknown)).toBe(false);
    const r = world.pvf.execute(unknown, backed.pvd, backed.pov);
    expect(r).toEqual({ kind: "Invalid", reason: `unknown validation code ${unknown}`, cpuUs: 0 });
  });
});
