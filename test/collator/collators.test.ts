import { describe, expect, it } from "vitest";
import { validatorActor } from "../../src/actors/protocol.ts";
import { collatorSignaturePayload } from "../../src/collator/collator.ts";
import { fromHex, toHex } from "../../src/lib/hex.ts";
import { decodeHeadData } from "../../src/parachain/block.ts";
import { groupForCore } from "../../src/primitives/group-rotation.ts";
import { hashHex } from "../../src/primitives/hashing.ts";
import { collatorKeypair } from "../../src/primitives/keys.ts";
import { noneCrypto } from "../../src/primitives/signing.ts";
import { umpSignals } from "../../src/primitives/ump.ts";
import { paraSpec } from "../parachain/chain-helpers.ts";
import { FakeWorld, relayHash } from "./fake-world.ts";

/** The validators the group assigned to `core` at relay parent `rp` (+1) consists of. */
function expectedGroup(world: FakeWorld, core: number, rp: number): string[] {
  const cfg = world.config;
  const group = groupForCore(
    { sessionStartBlock: 0, groupRotationFrequency: cfg.groupRotationFrequency, now: rp + 1 },
    core,
    cfg.numCores,
  );
  return cfg.groups[group]!.map(validatorActor).sort();
}

function advertisedTo(world: FakeWorld, candidateHash: string): string[] {
  return world.adverts
    .filter((a) => a.candidateHash === candidateHash)
    .map((a) => a.to)
    .sort();
}

describe("basic collator (sync backing)", () => {
  const world = new FakeWorld({
    spec: paraSpec("sync"),
    paraCores: [0],
    numCores: 3,
    lookahead: 1,
    allowedAncestryLen: 0,
    groups: [
      [0, 1],
      [2, 3],
      [4, 5],
    ],
    groupRotationFrequency: 1,
    backing: "pipeline",
  });
  world.run(10);

  it("builds on the included head, once the core is free, one block per 12 s para slot", () => {
    const rps = world.authored.map((a) => world.relayNumber(a.relayParent));
    expect(rps).toEqual([1, 3, 5, 7, 9]);
    expect(world.authored.map((a) => a.number)).toEqual([1, 2, 3, 4, 5]);
    // Aura: para slot floor(n / 2) alternates between the two collators.
    expect(world.authored.map((a) => a.author)).toEqual([
      "c2000-0",
      "c2000-1",
      "c2000-0",
      "c2000-1",
      "c2000-0",
    ]);
    // Each block's parent is the included head at its relay parent (never an unincluded block).
    for (const a of world.authored) {
      const included = world.relayBlocks.get(a.relayParent)!.api.paraBackingState(2000)!;
      expect(a.parentHeadHash).toBe(hashHex(included.constraints.requiredParent));
    }
    expect(world.included.map((i) => i.relayBlock)).toEqual([3, 5, 7, 9]);
    expect(world.invalid).toEqual([]);
    expect(world.panics).toEqual([]);
  });

  it("builds right after the relay block is imported, for 2/3 of authoringDurationMs", () => {
    // Authoring 500 ms: the proposer's deadline is 333.3 ms (C5), so 1667 transactions of 200 us
    // (the last one starts at 333.2 ms); the weight limit (375 ms) is not reached.
    for (const a of world.authored) {
      const rp = world.relayNumber(a.relayParent);
      expect(a.transactions).toBe(1667);
      expect(a.weightUs).toBe(333_400);
      expect(a.atUs).toBe(rp * 6_000_000 + 100_000 + 333_400);
    }
  });

  it("advertises each candidate to the group assigned to its core at relay parent + 1", () => {
    for (const b of world.backed) {
      const rp = world.relayNumber(b.collation.receipt.descriptor.relayParent);
      expect(b.core).toBe(0);
      expect(advertisedTo(world, b.collation.candidateHash)).toEqual(expectedGroup(world, 0, rp));
    }
    // The rotation moves the group: relay parents 1, 3, 5 go to groups 2, 1, 0.
    expect(advertisedTo(world, world.backed[0]!.collation.candidateHash)).toEqual(["v4", "v5"]);
    expect(advertisedTo(world, world.backed[1]!.collation.candidateHash)).toEqual(["v2", "v3"]);
  });
});

describe("basic collator on a core that stays free (nothing is backed)", () => {
  it("builds at most once per para slot per relay fork (last_processed_slot rule)", () => {
    const world = new FakeWorld({
      spec: paraSpec("sync"),
      paraCores: [0],
      numCores: 1,
      lookahead: 1,
      allowedAncestryLen: 0,
      groups: [[0, 1]],
      groupRotationFrequency: 10,
      backing: "none",
    });
    world.run(8);
    // Relay slots 101..108 give para slots 50, 51, 51, 52, 52, ...: the second relay block of
    // a para slot finds the slot already processed and is skipped.
    expect(world.authored.map((a) => world.relayNumber(a.relayParent))).toEqual([1, 2, 4, 6, 8]);
    // Nothing is ever included: every block builds on genesis.
    expect(new Set(world.authored.map((a) => a.parentHeadHash))).toEqual(
      new Set([world.para.genesis.headHash]),
    );
    expect(world.authored.every((a) => a.number === 1)).toBe(true);
  });
});

describe("lookahead collator (async backing)", () => {
  const world = new FakeWorld({
    spec: paraSpec("async", { runtime: { maximumBlockWeightMs: 500 } }),
    paraCores: [1],
    numCores: 2,
    lookahead: 3,
    allowedAncestryLen: 2,
    groups: [
      [0, 1, 2],
      [3, 4, 5],
    ],
    groupRotationFrequency: 1,
    backing: "pipeline",
  });
  world.run(8);

  it("builds two blocks on the first relay parent, then one per relay block on the deepest parent", () => {
    const rps = world.authored.map((a) => world.relayNumber(a.relayParent));
    expect(rps).toEqual([1, 1, 2, 3, 4, 5, 6, 7, 8]);
    // One chain: every block builds on the previous one (the deepest potential parent).
    world.authored.forEach((a, i) => {
      expect(a.number).toBe(i + 1);
      if (i > 0) expect(a.parentHeadHash).toBe(world.authored[i - 1]!.headHash);
    });
    // Aura: relay slot n gives para slot n; authors alternate.
    expect(world.authored.map((a) => a.author.slice(-1))).toEqual([
      "1",
      "1",
      "0",
      "1",
      "0",
      "1",
      "0",
      "1",
      "0",
    ]);
    // 500 ms blocks (375 ms of normal transactions) with 2 s of authoring: the block is full
    // long before the soft deadline (half of 1333.3 ms), and the proposer keeps trying the
    // saturating pool until then. The second block of relay parent 1 starts when the first is ready.
    expect(world.authored[0]!.weightUs).toBe(375_000);
    expect(world.authored[0]!.atUs).toBe(6_100_000 + 666_666);
    expect(world.authored[1]!.atUs).toBe(6_100_000 + 2 * 666_666);
    expect(world.panics).toEqual([]);
  });

  it("never exceeds the unincluded segment capacity (can_build_upon)", () => {
    for (const a of world.authored) {
      const rp = world.relayNumber(a.relayParent);
      const includedNumber = decodeHeadData(
        world.relayBlock(rp).api.paraBackingState(2000)!.constraints.requiredParent,
      ).number;
      expect(a.number - includedNumber).toBeLessThanOrEqual(3);
    }
  });

  it("submits on the first core whose depth-0 claim is the para, advertised to its group", () => {
    expect(world.backed.length).toBeGreaterThan(5);
    for (const b of world.backed) {
      const d = b.collation.receipt.descriptor;
      expect(d.kind === "v2" && d.coreIndex).toBe(1);
      const rp = world.relayNumber(d.relayParent);
      expect(advertisedTo(world, b.collation.candidateHash)).toEqual(expectedGroup(world, 1, rp));
    }
    // One backed and one included per relay block once the pipeline runs.
    expect(world.included.map((i) => i.relayBlock)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(world.invalid).toEqual([]);
  });
});

describe("slot-based collator (elastic scaling, 3 cores)", () => {
  const base = {
    paraCores: [0, 1, 2],
    numCores: 3,
    lookahead: 3,
    allowedAncestryLen: 2,
    groups: [[0], [1], [2]],
    groupRotationFrequency: 1,
    backing: "pipeline" as const,
  };
  const world = new FakeWorld({ ...base, spec: paraSpec("elastic-3", { collators: 1 }) });
  world.run(6);

  it("ticks every 2 s at the 1 s offset once it knows the core count, one block per core", () => {
    const starts = world.authored.map((a) => a.atUs - a.weightUs);
    expect(starts.slice(0, 7)).toEqual([7, 9, 11, 13, 15, 17, 19].map((s) => s * 1_000_000));
    const rps = world.authored.map((a) => world.relayNumber(a.relayParent));
    expect(rps.slice(0, 7)).toEqual([1, 1, 1, 2, 2, 2, 3]);
    world.authored.forEach((a, i) => {
      expect(a.number).toBe(i + 1);
      // 75 % of maximumBlockWeightMs 1000 (NORMAL_DISPATCH_RATIO) < 2/3 of authoring 1500
      expect(a.weightUs).toBe(750_000);
    });
  });

  it("selects cores in order per relay parent: CoreInfo selector, SelectCore signal, descriptor core", () => {
    const headers = world.authored.map((a) => {
      const block = world.collators[0]!.blocks.entry(a.headHash)!.header;
      return block.digest.coreInfo;
    });
    expect(headers.slice(0, 6).map((c) => c?.selector)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(headers.every((c) => c?.numberOfCores === 3 && c.claimQueueOffset === 0)).toBe(true);
    for (const b of world.backed) {
      const d = b.collation.receipt.descriptor;
      const signals = umpSignals(b.collation.receipt.commitments);
      expect(signals.ok).toBe(true);
      const selector = signals.ok ? signals.value.selectCore?.coreSelector : undefined;
      expect(d.kind === "v2" && d.coreIndex).toBe(selector);
      const rp = world.relayNumber(d.relayParent);
      expect(advertisedTo(world, b.collation.candidateHash)).toEqual(
        expectedGroup(world, d.kind === "v2" ? d.coreIndex : -1, rp),
      );
    }
    // Three candidates backed per relay block once the pipeline is full.
    const perBlock = (n: number) => world.backed.filter((b) => b.relayBlock === n).length;
    expect([perBlock(3), perBlock(4), perBlock(5), perBlock(6)]).toEqual([3, 3, 3, 3]);
    expect(world.invalid).toEqual([]);
  });

  // Blocks as long as their authoring duration: the proposer fills (almost) all of it and the
  // runtime takes all of it, so a block's weight shows the authoring duration it was given. (A
  // transaction starts while the time is not past the deadline, so a deadline of exactly 2 s
  // would take one 200 us transaction more: 0.9999 puts the last start just before it.)
  const longBlocks = (collators: number) =>
    paraSpec("elastic-3", {
      collators,
      collator: { authoringDurationMs: 2000, proposalTimeFraction: 0.9999 },
      runtime: { maximumBlockWeightMs: 5000, normalDispatchRatio: 1 },
    });

  it("2024: shortens the last block of a relay slot by 500 ms (adjusted authoring duration)", () => {
    const w = new FakeWorld({ ...base, spec: longBlocks(1), generation: "2024" });
    w.run(4);
    expect(w.authored.slice(0, 6).map((a) => a.weightUs / 1000)).toEqual([
      2000, 2000, 1500, 2000, 2000, 1500,
    ]);
    // The ticks are not skipped although each build ends on the next tick.
    expect(w.authored.slice(0, 6).map((a) => (a.atUs - a.weightUs) / 1000)).toEqual([
      7000, 9000, 11000, 13000, 15000, 17000,
    ]);
  });

  it("current: ends the last block 1 s before an Aura slot change to another author (#10154)", () => {
    const two = new FakeWorld({ ...base, spec: longBlocks(2) });
    two.run(4);
    // Ticks at 0, 2 and 4 s on the offset clock; the slot changes at 6 s: the third block gets
    // 2 s - 1 s. The author changes every para slot (two collators).
    expect(two.authored.slice(0, 6).map((a) => a.weightUs / 1000)).toEqual([
      2000, 2000, 1000, 2000, 2000, 1000,
    ]);
    // One collator: the next slot is its own, no cut at all.
    const one = new FakeWorld({ ...base, spec: longBlocks(1) });
    one.run(4);
    expect(one.authored.slice(0, 6).map((a) => a.weightUs / 1000)).toEqual([
      2000, 2000, 2000, 2000, 2000, 2000,
    ]);
  });

  it("uses the relay parent's claim queue: no core left means no block", () => {
    const w = new FakeWorld({
      ...base,
      paraCores: [2],
      spec: paraSpec("elastic-3", { collators: 1 }),
    });
    w.run(3);
    // One core: one block per relay parent, at the 1 s offset of each relay slot.
    const rps = w.authored.map((a) => w.relayNumber(a.relayParent));
    expect(rps).toEqual([1, 2, 3]);
    expect(w.backed.every((b) => b.core === 2)).toBe(true);
  });
});

describe("collator runtime panics", () => {
  /** One core, one group of two, async backing parameters. */
  const oneCore = {
    paraCores: [0],
    numCores: 1,
    lookahead: 3,
    allowedAncestryLen: 2,
    groups: [[0, 1]],
    groupRotationFrequency: 10,
    backing: "pipeline" as const,
  };

  it("a runtime that believes in 12 s relay slots cannot build: every attempt panics", () => {
    const world = new FakeWorld({
      ...oneCore,
      spec: paraSpec("async", { runtime: { relayChainSlotDurationMillis: 12000 } }),
    });
    world.run(3);
    expect(world.authored).toEqual([]);
    expect(world.panics).toHaveLength(3);
    expect(world.panics[0]).toContain("Parachain slot must match relay-derived slot");
  });

  it("V1 descriptors carry the collator's key and a signature over the payload", () => {
    const world = new FakeWorld({
      ...oneCore,
      spec: paraSpec("async", { runtime: { maximumBlockWeightMs: 100 } }),
      candidateReceiptV2: false,
    });
    world.run(3);
    expect(world.backed.length).toBeGreaterThan(0);
    const d = world.backed[0]!.collation.receipt.descriptor;
    if (d.kind !== "v1") throw new Error("expected a V1 descriptor");
    expect(d.relayParent).toBe(relayHash(1));
    const author = world.authored[0]!.author.endsWith("0") ? 0 : 1;
    expect(d.collator).toBe(toHex(collatorKeypair(noneCrypto, 2000, author).publicKey));
    const payload = collatorSignaturePayload(
      d.relayParent,
      d.paraId,
      d.persistedValidationDataHash,
      d.povHash,
      d.validationCodeHash,
    );
    expect(payload.length).toBe(132);
    expect(noneCrypto.verify(payload, fromHex(d.signature), fromHex(d.collator))).toBe(true);
    expect(noneCrypto.verify(payload.slice(1), fromHex(d.signature), fromHex(d.collator))).toBe(
      false,
    );
    // Without V2 receipts there are no UMP signals either (the lookahead runtime sends none).
    expect(world.backed[0]!.collation.receipt.commitments.upwardMessages).toEqual([]);
  });
});
