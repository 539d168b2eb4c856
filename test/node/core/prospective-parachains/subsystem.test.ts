/**
 * The prospective-parachains subsystem (lib.rs G2): leaf activation builds fragment chains from
 * the claim queue, the backing state and the pending candidates; candidates are introduced,
 * backed and returned as backable; chains follow the leaves (populate from the parent leaf,
 * pruning of relay parents that leave the view); hypothetical membership, minimum relay parents
 * and prospective validation data.
 */
import { describe, expect, it } from "vitest";
import type { HeadData } from "../../../../src/primitives/codecs.ts";
import { hashHex } from "../../../../src/primitives/hashing.ts";
import type { BackingState, RelayHeader } from "../../../../src/primitives/runtime-api.ts";
import { chain, constraints, MAX_POV, makeCandidate, pendingOf } from "../../fake-relay.ts";
import { prospectiveWorld } from "../../prospective-world.ts";

const PARA = 2000;
const H0: HeadData = "0x00aa";
const blocks = chain(6);
const B = (n: number): RelayHeader => blocks[n]!;

function setup(opts: {
  allowedAncestryLen: number;
  state: (n: number) => BackingState | null;
  maxCandidateDepth?: number;
}) {
  return prospectiveWorld({
    blocks,
    para: PARA,
    claims: [PARA, 2001],
    ...opts,
  }).subsystem("v0");
}

// Two candidates pending availability (relay parents 1 and 2), then a child on top of them.
const P1 = makeCandidate({ paraId: PARA, relayParent: B(1), parentHead: H0, headData: "0x01" });
const P2 = makeCandidate({ paraId: PARA, relayParent: B(2), parentHead: "0x01", headData: "0x02" });
const C = makeCandidate({ paraId: PARA, relayParent: B(3), parentHead: "0x02", headData: "0x03" });

const withPending = (n: number): BackingState | null =>
  n === 3
    ? { constraints: constraints(H0, 1), pendingAvailability: [pendingOf(P1, 1), pendingOf(P2, 2)] }
    : null;

describe("prospective parachains: leaf activation", () => {
  it("builds a chain per scheduled para, pending candidates first, and reports the minimum relay parent", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: withPending });
    activate(3);
    const chain3 = pp.fragmentChain(B(3).hash, PARA);
    expect(chain3?.bestChainVec()).toEqual([P1.candidateHash, P2.candidateHash]);
    // Para 2001 is in the claim queue but has no backing state: no chain.
    expect(pp.fragmentChain(B(3).hash, 2001)).toBeUndefined();
    // Ancestry [B2, B1], min relay parent number 1: the earliest allowed relay parent is B1.
    expect([...pp.getMinimumRelayParents(B(3).hash)]).toEqual([[PARA, 1]]);
    expect(pp.getMinimumRelayParents(B(2).hash).size).toBe(0); // not an active leaf
  });

  it("stops pre-processing pending candidates at the first unknown relay parent", () => {
    // X's relay parent is unknown; P1 after it would chain from the included head if X were
    // merely skipped, but processing stops at X.
    const x = makeCandidate({
      paraId: PARA,
      relayParent: { ...B(1), hash: `0x${"ee".repeat(32)}` },
      parentHead: H0,
      headData: "0x05",
    });
    const run = (pending: BackingState["pendingAvailability"]) => {
      const { pp, activate } = setup({
        allowedAncestryLen: 2,
        state: (n) =>
          n === 3 ? { constraints: constraints(H0, 1), pendingAvailability: pending } : null,
      });
      activate(3);
      return pp.fragmentChain(B(3).hash, PARA)?.bestChainVec();
    };
    expect(run([pendingOf(P1, 1)])).toEqual([P1.candidateHash]);
    expect(run([pendingOf(x, 1), pendingOf(P1, 1)])).toEqual([]);
    expect(run([pendingOf(P1, 1), pendingOf(x, 1)])).toEqual([P1.candidateHash]);
  });
});

describe("prospective parachains: introduce, back, get backable", () => {
  it("introduces a seconded candidate, returns it as backable only once backed", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: withPending });
    activate(3);
    const pending = new Set([P1.candidateHash, P2.candidateHash]);
    expect(pp.introduceSecondedCandidate(PARA, C.receipt, C.pvd)).toBe(true);
    // Introducing it again: already known counts as accepted.
    expect(pp.introduceSecondedCandidate(PARA, C.receipt, C.pvd)).toBe(true);
    expect(pp.getBackableCandidates(B(3).hash, PARA, 1, pending)).toEqual([]);
    pp.candidateBacked(PARA, C.candidateHash);
    expect(pp.getBackableCandidates(B(3).hash, PARA, 1, pending)).toEqual([
      { candidateHash: C.candidateHash, relayParent: B(3).hash },
    ]);
    // Without the pending candidates as ancestors the chain stops at a pending candidate.
    expect(pp.getBackableCandidates(B(3).hash, PARA, 3, new Set())).toEqual([]);
    expect(pp.getBackableCandidates(B(3).hash, PARA, 0, pending)).toEqual([]);
    expect(pp.getBackableCandidates(B(3).hash, 2001, 1, pending)).toEqual([]);
  });

  it("refuses a candidate whose relay parent is out of scope or whose PVD does not match", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: withPending });
    activate(3);
    const old = makeCandidate({
      paraId: PARA,
      relayParent: B(0),
      parentHead: "0x02",
      headData: "0x09",
    });
    expect(pp.introduceSecondedCandidate(PARA, old.receipt, old.pvd)).toBe(false);
    expect(
      pp.introduceSecondedCandidate(PARA, C.receipt, { ...C.pvd, maxPovSize: MAX_POV - 1 }),
    ).toBe(false);
    // A para without a chain anywhere.
    expect(pp.introduceSecondedCandidate(2001, C.receipt, C.pvd)).toBe(false);
  });
});

describe("prospective parachains: leaves moving", () => {
  const free = (n: number): BackingState => ({
    constraints: constraints(H0, Math.max(n - 1, 0)),
    pendingAvailability: [],
  });

  it("carries candidates to the next leaf and prunes relay parents that leave the view", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 1, state: free });
    activate(1);
    const c1 = makeCandidate({ paraId: PARA, relayParent: B(1), parentHead: H0, headData: "0x11" });
    expect(pp.introduceSecondedCandidate(PARA, c1.receipt, c1.pvd)).toBe(true);
    pp.candidateBacked(PARA, c1.candidateHash);
    activate(2);
    expect([...pp.relayParents()].sort()).toEqual([B(1).hash, B(2).hash].sort());
    // populate_from_previous: the backed candidate is in the new leaf's best chain.
    expect(pp.fragmentChain(B(2).hash, PARA)?.bestChainVec()).toEqual([c1.candidateHash]);
    expect(pp.getBackableCandidates(B(2).hash, PARA, 1, new Set())).toEqual([
      { candidateHash: c1.candidateHash, relayParent: B(1).hash },
    ]);
    // B1 is no longer an active leaf: nothing backable there.
    expect(pp.getBackableCandidates(B(1).hash, PARA, 1, new Set())).toEqual([]);

    activate(3);
    expect([...pp.relayParents()].sort()).toEqual([B(2).hash, B(3).hash].sort());
    expect(pp.fragmentChain(B(1).hash, PARA)).toBeUndefined();
    // At B3 the earliest relay parent is B2: c1 (relay parent B1) is out of scope and dropped.
    expect(pp.fragmentChain(B(3).hash, PARA)?.bestChainLen()).toBe(0);
    expect(pp.isActiveLeaf(B(3).hash)).toBe(true);
    expect(pp.isActiveLeaf(B(2).hash)).toBe(false);
  });

  it("a candidate introduced below the leaf reaches the next leaf through its parent's chain", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: free });
    activate(2);
    const c = makeCandidate({ paraId: PARA, relayParent: B(2), parentHead: H0, headData: "0x22" });
    pp.introduceSecondedCandidate(PARA, c.receipt, c.pvd);
    activate(3);
    const chain3 = pp.fragmentChain(B(3).hash, PARA);
    expect([...(chain3?.unconnected() ?? [])].map((e) => e.candidateHash)).toEqual([
      c.candidateHash,
    ]);
    pp.candidateBacked(PARA, c.candidateHash);
    // Chains are copy-on-write: read the chain again after the update.
    expect(pp.fragmentChain(B(3).hash, PARA)?.bestChainVec()).toEqual([c.candidateHash]);
    // The chain at the previous leaf (still in the view) was updated too.
    expect(pp.fragmentChain(B(2).hash, PARA)?.bestChainVec()).toEqual([c.candidateHash]);
  });
});

describe("prospective parachains: queries", () => {
  it("hypothetical membership of an incomplete candidate, per active leaf", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: withPending });
    activate(3);
    const incomplete = (rp: RelayHeader, parent: HeadData) => ({
      kind: "Incomplete" as const,
      candidateHash: `0x${"ab".repeat(32)}`,
      candidatePara: PARA,
      parentHeadDataHash: hashHex(parent),
      candidateRelayParent: rp.hash,
    });
    expect(pp.getHypotheticalMembership([incomplete(B(3), "0x02")], null)).toEqual([[B(3).hash]]);
    expect(pp.getHypotheticalMembership([incomplete(B(3), "0x02")], B(2).hash)).toEqual([[]]);
    // Relay parent out of scope; relay parent before the last pending candidate's.
    expect(pp.getHypotheticalMembership([incomplete(B(0), "0x02")], null)).toEqual([[]]);
    expect(pp.getHypotheticalMembership([incomplete(B(1), "0x02")], null)).toEqual([[]]);
    // A complete candidate already known counts as a member.
    pp.introduceSecondedCandidate(PARA, C.receipt, C.pvd);
    const complete = {
      kind: "Complete" as const,
      candidateHash: C.candidateHash,
      receipt: C.receipt,
      persistedValidationData: C.pvd,
    };
    expect(pp.getHypotheticalMembership([complete], null)).toEqual([[B(3).hash]]);
  });

  it("prospective validation data from the chains, by parent head hash or with the data", () => {
    const { pp, activate } = setup({ allowedAncestryLen: 2, state: withPending });
    activate(3);
    expect(
      pp.getProspectiveValidationData(PARA, B(2).hash, { hash: hashHex("0x01"), headData: null }),
    ).toEqual({
      parentHead: "0x01",
      relayParentNumber: 2,
      relayParentStorageRoot: B(2).stateRoot,
      maxPovSize: MAX_POV,
    });
    expect(
      pp.getProspectiveValidationData(PARA, B(3).hash, { hash: hashHex("0x77"), headData: null }),
    ).toBeNull();
    expect(
      pp.getProspectiveValidationData(PARA, B(3).hash, { hash: hashHex("0x77"), headData: "0x77" })
        ?.parentHead,
    ).toBe("0x77");
    expect(
      pp.getProspectiveValidationData(PARA, B(0).hash, { hash: hashHex("0x01"), headData: null }),
    ).toBeNull();
  });
});
