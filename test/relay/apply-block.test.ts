import { describe, expect, it } from "vitest";
import { repeatByte } from "../../src/lib/hex.ts";
import { candidateHash } from "../../src/primitives/candidate.ts";
import { signBitfield } from "../../src/primitives/statements.ts";
import type { RelayEvent } from "../../src/relay/state.ts";
import { back, buildCandidate, genesisHead, scenarioConfig, TestChain } from "./chain.ts";

const P = 2000;

const kinds = (events: readonly RelayEvent[]) =>
  events.map((e) => (e.kind === "UpwardMessagesReceived" ? e.kind : [e.kind, e.candidateHash]));

/** One para on core 0; 6 validators in 2 groups of 3 (`maxValidatorsPerCore` 3). */
function singleCoreChain(rest: Parameters<typeof scenarioConfig>[1] = {}) {
  const config = scenarioConfig(
    { numCores: 1, maxValidatorsPerCore: 3, lookahead: 3, groupRotationFrequency: 10 },
    rest,
  );
  return new TestChain(config, 6, [{ id: P, cores: [0] }]);
}

describe("applyBlock: one para, one core", () => {
  it("backs a candidate, occupies the core, enacts it with > 2/3 of the bitfields but not 2/3", () => {
    const chain = singleCoreChain();
    const g = chain.tip;
    expect(g.header.number).toBe(0);
    expect(g.api.availabilityCores()).toEqual([{ kind: "Scheduled", paraId: P }, { kind: "Free" }]);

    // Block 1: candidate A on relay parent 0, built on the genesis head.
    const a = buildCandidate(P, { n: 1, core: 0 }, chain);
    expect(a.pvd).toEqual({
      parentHead: genesisHead(P),
      relayParentNumber: 0,
      relayParentStorageRoot: g.header.stateRoot,
      maxPovSize: 10485760,
    });
    const aHash = candidateHash(a.receipt);
    const pre = structuredClone(g.state);
    const r1 = chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
    expect(g.state).toEqual(pre); // the pre-state is untouched
    expect(r1.dropped).toEqual({ bitfields: [], candidates: [] });
    expect(r1.accepted.backedCandidates.map((bc) => candidateHash(bc.candidate))).toEqual([aHash]);
    expect(kinds(r1.events)).toEqual([["CandidateBacked", aHash]]);
    expect(r1.events[0]).toMatchObject({ paraId: P, core: 0, group: 0 });
    expect(r1.header).toMatchObject({ number: 1, parentHash: g.header.hash, slot: 1 });

    const api1 = chain.tip.api;
    const core0 = api1.availabilityCores()[0]!;
    expect(core0).toMatchObject({
      kind: "Occupied",
      candidateHash: aHash,
      occupiedSince: 1,
      nextUpOnAvailable: P,
      groupResponsible: 0,
    });
    const bs1 = api1.paraBackingState(P)!;
    expect(bs1.constraints.requiredParent).toBe(genesisHead(P));
    expect(bs1.constraints.minRelayParentNumber).toBe(0);
    expect(bs1.pendingAvailability.map((c) => c.candidateHash)).toEqual([aHash]);
    expect(api1.candidatesPendingAvailability(P)).toEqual([a.receipt]);

    // Block 2: exactly 2/3 of 6 validators (4) is not enough (the runtime needs 5).
    const r2 = chain.build({ bitfields: chain.bitfields([0, 1, 2, 3], [0]) });
    expect(r2.accepted.bitfields.length).toBe(4);
    expect(kinds(r2.events)).toEqual([]);
    expect(chain.tip.api.paraBackingState(P)!.pendingAvailability.length).toBe(1);
    // The occupied core's claim stays; nothing new can be backed on it.
    const b = buildCandidate(P, { n: 2, core: 0 }, chain);
    expect(b.pvd.parentHead).toBe(a.receipt.commitments.headData);

    // Block 3: one more vote (5 of 6, > 2/3): A is included, and B (built on A's head at relay
    // parent 2) is backed on the freed core in the same block.
    const r3 = chain.build({
      bitfields: chain.bitfields([4], [0]),
      backedCandidates: [back(b.receipt, 0, chain)],
    });
    const bHash = candidateHash(b.receipt);
    expect(kinds(r3.events)).toEqual([
      ["CandidateIncluded", aHash],
      ["CandidateBacked", bHash],
    ]);
    const bs3 = chain.tip.api.paraBackingState(P)!;
    expect(bs3.constraints.requiredParent).toBe(a.receipt.commitments.headData);
    expect(bs3.constraints.minRelayParentNumber).toBe(1); // 3 - min(2, 3)
    expect(bs3.pendingAvailability.map((c) => c.candidateHash)).toEqual([bHash]);
    expect(chain.tip.state.paras.mostRecentContext.get(P)).toBe(0);
  });

  it("upward messages count against the queue until the next block services them", () => {
    const chain = singleCoreChain();
    const msgs = [new Uint8Array([1, 2, 3]), new Uint8Array([4])];
    const a = buildCandidate(P, { n: 1, core: 0, upward: msgs, selectCore: [0, 0] }, chain);
    chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
    const r = chain.build({ bitfields: chain.bitfields([0, 1, 2, 3, 4], [0]) });
    expect(r.events).toContainEqual({ kind: "UpwardMessagesReceived", from: P, count: 2 });
    expect(chain.tip.api.paraBackingState(P)!.constraints).toMatchObject({
      umpRemaining: 6,
      umpRemainingBytes: 1024 * 1024 - 4,
    });
    chain.build();
    expect(chain.tip.api.paraBackingState(P)!.constraints.umpRemaining).toBe(8);
  });

  it("drops a bitfield with a bad signature, out of order, or of the wrong length", () => {
    const chain = singleCoreChain();
    const good = chain.bitfields([1], [0])[0]!;
    const forged = {
      ...chain.bitfields([2], [0])[0]!,
      signature: signBitfield(chain.crypto, chain.keys[3]!.secretKey, [true, false], {
        sessionIndex: 0,
        parentHash: chain.tip.header.hash,
      }),
    };
    const short = { ...chain.bitfields([4], [0])[0]!, payload: [true] };
    const r = chain.build({ bitfields: [good, chain.bitfields([0], [0])[0]!, forged, short] });
    expect(r.accepted.bitfields).toEqual([good]);
    expect(r.dropped.bitfields).toEqual([
      { validatorIndex: 0, reason: { code: "NotAscending" } },
      { validatorIndex: 2, reason: { code: "InvalidSignature" } },
      { validatorIndex: 4, reason: { code: "WrongLength", expected: 2, found: 1 } },
    ]);
  });

  it("is deterministic: the same block twice gives the same header", () => {
    const one = singleCoreChain();
    const two = singleCoreChain();
    for (const chain of [one, two]) {
      const a = buildCandidate(P, { n: 1, core: 0 }, chain);
      chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
      chain.build({ bitfields: chain.bitfields([0, 1, 2, 3, 4], [0]) });
    }
    expect(one.tip.header).toEqual(two.tip.header);
    expect(one.tip.header.stateRoot).not.toBe(one.at(1).header.stateRoot);
  });
});

describe("applyBlock: filtered candidates, with the reason", () => {
  it("relay parent outside the allowed ancestry", () => {
    const chain = singleCoreChain(); // allowedAncestryLen 2
    const old = buildCandidate(P, { n: 1, core: 0 }, chain); // relay parent 0
    for (let i = 0; i < 3; i++) chain.build();
    // Block 4 allows relay parents 1, 2, 3: block 0 is too old.
    const r = chain.build({ backedCandidates: [back(old.receipt, 0, chain)] });
    expect(r.events).toEqual([]);
    expect(r.dropped.candidates).toEqual([
      {
        candidateHash: candidateHash(old.receipt),
        paraId: P,
        stage: "v2",
        reason: { code: "DisallowedRelayParent" },
      },
    ]);
  });

  it("a wrong PVD hash", () => {
    const chain = singleCoreChain();
    const bad = buildCandidate(P, { n: 1, core: 0, pvdHashOverride: repeatByte(9) }, chain);
    const r = chain.build({ backedCandidates: [back(bad.receipt, 0, chain)] });
    expect(r.events).toEqual([]);
    expect(r.dropped.candidates).toEqual([
      {
        candidateHash: candidateHash(bad.receipt),
        paraId: P,
        stage: "unchained",
        reason: { code: "ValidationDataHashMismatch" },
      },
    ]);
  });

  it("a wrong core index (the descriptor names a core the para does not have)", () => {
    const config = scenarioConfig({ numCores: 2, maxValidatorsPerCore: 3, lookahead: 3 });
    const chain = new TestChain(config, 6, [
      { id: P, cores: [0] },
      { id: P + 1, cores: [1] },
    ]);
    const wrong = buildCandidate(P, { n: 1, core: 1 }, chain);
    const r = chain.build({ backedCandidates: [back(wrong.receipt, 1, chain)] });
    expect(r.events).toEqual([]);
    expect(r.dropped.candidates).toEqual([
      {
        candidateHash: candidateHash(wrong.receipt),
        paraId: P,
        stage: "v2",
        reason: { code: "CoreIndexMismatch", descriptor: 1, commitments: 0 },
      },
    ]);
  });

  it("too few backing votes (1 of a group of 3, minimum 2)", () => {
    const chain = singleCoreChain();
    const weak = buildCandidate(P, { n: 1, core: 0 }, chain);
    const r = chain.build({ backedCandidates: [back(weak.receipt, 0, chain, 1)] });
    expect(r.events).toEqual([]);
    expect(r.accepted.backedCandidates).toEqual([]);
    expect(r.dropped.candidates).toEqual([
      {
        candidateHash: candidateHash(weak.receipt),
        paraId: P,
        stage: "backing",
        reason: { code: "InsufficientBacking" },
      },
    ]);
    // Two votes are enough.
    const ok = buildCandidate(P, { n: 2, core: 0 }, chain);
    expect(
      kinds(chain.build({ backedCandidates: [back(ok.receipt, 0, chain, 2)] }).events),
    ).toEqual([["CandidateBacked", candidateHash(ok.receipt)]]);
  });
});

describe("applyBlock: elastic scaling", () => {
  /** One para on cores 0..2; 12 validators in 3 groups of 4 (threshold 9). */
  function elasticChain(scheduler: Parameters<typeof scenarioConfig>[0] = {}) {
    const config = scenarioConfig({
      numCores: 3,
      maxValidatorsPerCore: 4,
      lookahead: 3,
      ...scheduler,
    });
    return new TestChain(config, 12, [{ id: P, cores: [0, 1, 2] }]);
  }

  /** Three chained V2 candidates on relay parent = the tip, selectors 0, 1, 2 (cores 0, 1, 2). */
  function threeChained(chain: TestChain) {
    const a = buildCandidate(P, { n: 1, core: 0, selectCore: [0, 0] }, chain);
    const b = buildCandidate(
      P,
      { n: 2, core: 1, selectCore: [1, 0], parentHead: a.receipt.commitments.headData },
      chain,
    );
    const c = buildCandidate(
      P,
      { n: 3, core: 2, selectCore: [2, 0], parentHead: b.receipt.commitments.headData },
      chain,
    );
    return [a, b, c].map((x, core) => ({
      receipt: x.receipt,
      hash: candidateHash(x.receipt),
      backed: back(x.receipt, core, chain),
    }));
  }

  it("three chained candidates backed on three cores in one block, enacted in chain order", () => {
    const chain = elasticChain();
    const [a, b, c] = threeChained(chain);
    const r1 = chain.build({ backedCandidates: [a!.backed, b!.backed, c!.backed] });
    expect(r1.dropped.candidates).toEqual([]);
    expect(kinds(r1.events)).toEqual([
      ["CandidateBacked", a!.hash],
      ["CandidateBacked", b!.hash],
      ["CandidateBacked", c!.hash],
    ]);
    expect(r1.events.map((e) => ("core" in e ? e.core : null))).toEqual([0, 1, 2]);
    expect(
      chain.tip.api.paraBackingState(P)!.pendingAvailability.map((p) => p.candidateHash),
    ).toEqual([a!.hash, b!.hash, c!.hash]);
    expect(chain.tip.api.persistedValidationData(P, "Included")!.parentHead).toBe(
      c!.receipt.commitments.headData,
    );

    // B and C available, A not: nothing is enacted (chain order).
    const all = Array.from({ length: 12 }, (_, i) => i);
    const r2 = chain.build({ bitfields: chain.bitfields(all, [1, 2]) });
    expect(kinds(r2.events)).toEqual([]);
    // Then A too: all three, in order.
    const r3 = chain.build({ bitfields: chain.bitfields(all, [0]) });
    expect(kinds(r3.events)).toEqual([
      ["CandidateIncluded", a!.hash],
      ["CandidateIncluded", b!.hash],
      ["CandidateIncluded", c!.hash],
    ]);
    expect(chain.tip.api.paraBackingState(P)!.constraints.requiredParent).toBe(
      c!.receipt.commitments.headData,
    );
  });

  it("timeout cascade: the first candidate times out after the availability period at a rotation, taking its descendant", () => {
    // Rotation every 4 blocks from block 1 (rotations at 1, 5, 9); availability period 2.
    const chain = elasticChain({ groupRotationFrequency: 4, parasAvailabilityPeriod: 2 });
    const [a, b] = threeChained(chain);
    chain.build({ backedCandidates: [a!.backed, b!.backed] }); // block 1
    const all = Array.from({ length: 12 }, (_, i) => i);
    // B becomes available, A never does.
    expect(kinds(chain.build({ bitfields: chain.bitfields(all, [1]) }).events)).toEqual([]); // 2
    expect(kinds(chain.build().events)).toEqual([]); // 3: no timeout check within the rotation
    // At block 3 the API reports the timeout of a candidate backed before the next rotation.
    expect(chain.tip.api.availabilityCores()[0]).toMatchObject({
      kind: "Occupied",
      candidateHash: a!.hash,
      timeOutAt: 7, // next rotation (5) + period (2): the check is off at block 3
    });
    // Block 4: `now + 1 = 5` opens the check window; backed in 1 + period 2 = 3 <= 4.
    const r4 = chain.build();
    expect(kinds(r4.events)).toEqual([
      ["CandidateTimedOut", a!.hash],
      ["CandidateTimedOut", b!.hash],
    ]);
    expect(chain.tip.api.paraBackingState(P)!.pendingAvailability).toEqual([]);
    expect(chain.tip.api.availabilityCores().map((c) => c.kind)).toEqual([
      "Scheduled",
      "Scheduled",
      "Scheduled",
    ]);
  });
});

describe("applyBlock: the claim queue", () => {
  it("advances every core except the occupied ones (and refills them)", () => {
    const config = scenarioConfig({ numCores: 2, maxValidatorsPerCore: 3, lookahead: 3 });
    const chain = new TestChain(config, 6, [
      { id: P, cores: [0] },
      { id: P + 1, cores: [1] },
    ]);
    // Mark the queues so that an advance is visible: core 0 [P, P+1, P+1], core 1 [P+1, P, P].
    const sched = chain.tip.state.scheduler;
    sched.claimQueue.set(0, [
      { kind: "Bulk", paraId: P },
      { kind: "Bulk", paraId: P + 1 },
      { kind: "Bulk", paraId: P + 1 },
    ]);
    sched.claimQueue.set(1, [
      { kind: "Bulk", paraId: P + 1 },
      { kind: "Bulk", paraId: P },
      { kind: "Bulk", paraId: P },
    ]);
    // Block 1: P backed on core 0; core 1 has no candidate. Both advance.
    const a = buildCandidate(P, { n: 1, core: 0 }, chain);
    chain.build({ backedCandidates: [back(a.receipt, 0, chain)] });
    expect(chain.tip.api.claimQueue()).toEqual(
      new Map([
        [0, [P + 1, P + 1, P]],
        [1, [P, P, P + 1]],
      ]),
    );
    // Block 2: core 0 is occupied (A pending): its queue stays; core 1 advances.
    chain.build();
    expect(chain.tip.api.claimQueue()).toEqual(
      new Map([
        [0, [P + 1, P + 1, P]],
        [1, [P, P + 1, P + 1]],
      ]),
    );
    expect(chain.tip.api.availabilityCores()[0]).toMatchObject({
      kind: "Occupied",
      nextUpOnAvailable: P + 1,
    });
  });
});
