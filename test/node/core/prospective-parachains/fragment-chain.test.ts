/**
 * Port of polkadot/node/core/prospective-parachains/src/fragment_chain/tests.rs at
 * b0d7d52d77b5ec95201c541b7ae0a0cf839b5089 (Rust test names kept), plus reorg cases of
 * `candidate_backed`. Candidate hashes are explicit (see helpers.ts).
 */
import { describe, expect, it } from "vitest";
import {
  hypotheticalAsPotential,
  type RelayChainBlockInfo,
} from "../../../../src/emulator/inclusion-emulator.ts";
import { type Hash, repeatByte, ZERO_HASH } from "../../../../src/lib/hex.ts";
import {
  CandidateEntry,
  CandidateStorage,
} from "../../../../src/node/core/prospective-parachains/candidate-storage.ts";
import {
  FragmentChain,
  forkSelectionRule,
} from "../../../../src/node/core/prospective-parachains/fragment-chain.ts";
import { Scope } from "../../../../src/node/core/prospective-parachains/scope.ts";
import { hashHex } from "../../../../src/primitives/hashing.ts";
import {
  entry,
  makeCommittedCandidate,
  makeConstraints,
  populateChainFromPreviousStorage,
  scopeOf,
  storageOf,
  unconnectedSet,
} from "./helpers.ts";

const info = (number: number, hashByte: number, rootByte = 69): RelayChainBlockInfo => ({
  number,
  hash: repeatByte(hashByte),
  storageRoot: repeatByte(rootByte),
});

describe("Scope", () => {
  it("scope_rejects_ancestors_that_skip_blocks", () => {
    const r = Scope.withAncestors(
      info(10, 10),
      makeConstraints(8, [8, 9], "0x010203"),
      [],
      2,
      [info(8, 8)],
      "2024",
    );
    expect(r).toEqual({ ok: false, error: { code: "UnexpectedAncestor", number: 8, prev: 10 } });
  });

  it("scope_rejects_ancestor_for_0_block", () => {
    const r = Scope.withAncestors(
      info(0, 0),
      makeConstraints(0, [], "0x010203"),
      [],
      2,
      [info(99999, 99)],
      "2024",
    );
    expect(r).toEqual({
      ok: false,
      error: { code: "UnexpectedAncestor", number: 99999, prev: 0 },
    });
  });

  it("scope_only_takes_ancestors_up_to_min", () => {
    const scope = scopeOf(info(5, 0), makeConstraints(3, [2], "0x010203"), [], 2, [
      info(4, 4),
      info(3, 3),
      info(2, 2),
    ]);
    expect(scope.ancestorCount).toBe(2);
    expect(scope.earliestRelayParent()).toEqual(info(3, 3));
    expect(scope.ancestor(repeatByte(2))).toBeUndefined();
    expect(scope.ancestor(repeatByte(4))).toEqual(info(4, 4));
    expect(scope.ancestor(repeatByte(0))).toEqual(info(5, 0));
  });

  it("scope_rejects_unordered_ancestors", () => {
    const r = Scope.withAncestors(
      info(5, 0),
      makeConstraints(0, [2], "0x010203"),
      [],
      2,
      [info(4, 4), info(2, 2), info(3, 3)],
      "2024",
    );
    expect(r).toEqual({ ok: false, error: { code: "UnexpectedAncestor", number: 2, prev: 4 } });
  });

  it("earliest relay parent is the relay parent itself without ancestors", () => {
    const scope = scopeOf(info(5, 5), makeConstraints(0, [], "0x01"), [], 2, []);
    expect(scope.earliestRelayParent()).toEqual(info(5, 5));
    expect(scope.ancestorCount).toBe(0);
  });
});

describe("CandidateStorage", () => {
  it("candidate_storage_methods", () => {
    const storage = new CandidateStorage();
    const relayParent = repeatByte(69);
    const c = makeCommittedCandidate(5, relayParent, 8, "0x040506", "0x010203", 7);
    const candidateHash = repeatByte(0x11);
    const parentHeadHash = hashHex(c.pvd.parentHead);
    const paraHead = c.receipt.descriptor.paraHead;

    // Invalid pvd hash.
    const wrongPvd = { ...c.pvd, maxPovSize: 0 };
    for (const state of ["Seconded", "Backed"] as const) {
      expect(CandidateEntry.new(candidateHash, c.receipt, wrongPvd, state)).toEqual({
        ok: false,
        error: { code: "PersistedValidationDataMismatch" },
      });
    }
    expect(CandidateEntry.newSeconded(candidateHash, c.receipt, wrongPvd).ok).toBe(false);

    // Zero-length cycle.
    {
      const head = `0x${"01".repeat(10)}`;
      const cycle = makeCommittedCandidate(5, relayParent, 8, head, head, 7);
      expect(CandidateEntry.newSeconded(candidateHash, cycle.receipt, cycle.pvd)).toEqual({
        ok: false,
        error: { code: "ZeroLengthCycle" },
      });
    }
    expect(storage.contains(candidateHash)).toBe(false);
    expect([...storage.possibleBackedParaChildren(parentHeadHash)]).toHaveLength(0);
    expect(storage.headDataByHash(paraHead)).toBeUndefined();
    expect(storage.headDataByHash(parentHeadHash)).toBeUndefined();

    // Add a valid candidate.
    const candidateEntry = entry(candidateHash, c, "Seconded");
    expect(storage.addCandidateEntry(candidateEntry).ok).toBe(true);
    expect(storage.contains(candidateHash)).toBe(true);
    expect([...storage.possibleBackedParaChildren(parentHeadHash)]).toHaveLength(0);
    expect([...storage.possibleBackedParaChildren(paraHead)]).toHaveLength(0);
    expect(storage.headDataByHash(paraHead)).toBe(c.receipt.commitments.headData);
    expect(storage.headDataByHash(parentHeadHash)).toBe(c.pvd.parentHead);

    // Now mark it as backed; marking it twice is fine.
    storage.markBacked(candidateHash);
    storage.markBacked(candidateHash);
    const children = () =>
      [...storage.possibleBackedParaChildren(parentHeadHash)].map((e) => e.candidateHash);
    expect(children()).toEqual([candidateHash]);
    expect([...storage.possibleBackedParaChildren(paraHead)]).toHaveLength(0);
    // The entry that was added is untouched (entries are immutable).
    expect(candidateEntry.state).toBe("Seconded");

    // Re-adding a candidate fails.
    expect(storage.addCandidateEntry(candidateEntry)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });

    // Remove candidate and re-add it later in backed state; removing it twice is fine.
    storage.removeCandidate(candidateHash);
    expect(storage.contains(candidateHash)).toBe(false);
    storage.removeCandidate(candidateHash);
    expect(storage.contains(candidateHash)).toBe(false);
    expect([...storage.possibleBackedParaChildren(parentHeadHash)]).toHaveLength(0);
    expect(storage.headDataByHash(paraHead)).toBeUndefined();
    expect(storage.headDataByHash(parentHeadHash)).toBeUndefined();
    expect(storage.childrenOf(parentHeadHash)).toBeUndefined();

    expect(storage.addPendingAvailabilityCandidate(candidateHash, c.receipt, c.pvd).ok).toBe(true);
    expect(storage.contains(candidateHash)).toBe(true);
    expect(children()).toEqual([candidateHash]);
    expect([...storage.possibleBackedParaChildren(paraHead)]).toHaveLength(0);

    // Now add a second candidate in Seconded state. This will be a fork.
    const c2 = makeCommittedCandidate(5, relayParent, 8, "0x040506", "0x020304", 7);
    const candidateHash2 = repeatByte(0x22);
    expect(storage.addCandidateEntry(entry(candidateHash2, c2, "Seconded")).ok).toBe(true);
    expect(children()).toEqual([candidateHash]);

    // Now mark it as backed.
    storage.markBacked(candidateHash2);
    expect(new Set(children())).toEqual(new Set([candidateHash, candidateHash2]));
  });

  it("add_pending_availability_candidate wraps entry errors", () => {
    const c = makeCommittedCandidate(5, repeatByte(69), 8, "0x040506", "0x010203", 7);
    const storage = new CandidateStorage();
    expect(
      storage.addPendingAvailabilityCandidate(repeatByte(1), c.receipt, {
        ...c.pvd,
        maxPovSize: 1,
      }),
    ).toEqual({
      ok: false,
      error: { code: "CandidateEntry", inner: { code: "PersistedValidationDataMismatch" } },
    });
  });

  it("clone is independent of the original", () => {
    const c = makeCommittedCandidate(5, repeatByte(69), 8, "0x040506", "0x010203", 7);
    const storage = storageOf(entry(repeatByte(1), c, "Seconded"));
    const copy = storage.clone();
    copy.markBacked(repeatByte(1));
    copy.removeCandidate(repeatByte(1));
    expect(storage.contains(repeatByte(1))).toBe(true);
    expect(storage.get(repeatByte(1))?.state).toBe("Seconded");
    expect(storage.childrenOf(hashHex("0x040506"))?.size).toBe(1);
  });
});

describe("FragmentChain", () => {
  it("init_and_populate_from_empty", () => {
    const scope = scopeOf(
      { number: 1, hash: repeatByte(1), storageRoot: repeatByte(2) },
      makeConstraints(0, [0], "0x0a"),
      [],
      4,
      [],
    );
    const chain = FragmentChain.init(scope, new CandidateStorage());
    expect(chain.bestChainLen()).toBe(0);
    expect(chain.unconnectedLen()).toBe(0);

    const newChain = FragmentChain.init(scope, new CandidateStorage());
    newChain.populateFromPrevious(chain);
    expect(newChain.bestChainLen()).toBe(0);
    expect(newChain.unconnectedLen()).toBe(0);
  });

  it("test_populate_and_check_potential", () => {
    const storage = new CandidateStorage();
    const paraId = 5;
    const rpX: RelayChainBlockInfo = { number: 0, hash: repeatByte(1), storageRoot: ZERO_HASH };
    const rpY: RelayChainBlockInfo = { number: 1, hash: repeatByte(2), storageRoot: ZERO_HASH };
    const rpZ: RelayChainBlockInfo = { number: 2, hash: repeatByte(3), storageRoot: ZERO_HASH };
    // These need to be ordered in reverse.
    const ancestors = [rpY, rpX];
    const baseConstraints = makeConstraints(0, [0], "0x0a");
    const cand = (rp: RelayChainBlockInfo, parent: string, head: string, wm = rp.number) =>
      makeCommittedCandidate(paraId, rp.hash, rp.number, parent, head, wm);

    // Candidates A -> B -> C. They are all backed.
    const hA = repeatByte(0x50);
    const hB = repeatByte(0xbb);
    const hC = repeatByte(0xcc);
    const entryA = entry(hA, cand(rpX, "0x0a", "0x0b"), "Backed");
    const entryB = entry(hB, cand(rpY, "0x0b", "0x0c"), "Backed");
    const entryC = entry(hC, cand(rpZ, "0x0c", "0x0d"), "Backed");
    for (const e of [entryA, entryB, entryC]) storage.addCandidateEntry(e);

    // Candidate A doesn't adhere to the base constraints.
    for (const wrongConstraints of [
      // Different required parent.
      makeConstraints(rpX.number, [rpX.number], "0x0e"),
      // Min relay parent number is wrong.
      makeConstraints(rpY.number, [0], "0x0a"),
    ]) {
      const scope = scopeOf(rpZ, wrongConstraints, [], 4, ancestors);
      const chain = populateChainFromPreviousStorage(scope, storage);
      expect(chain.bestChainVec()).toEqual([]);
      if (wrongConstraints.minRelayParentNumber === rpY.number) {
        // A can never become valid, so neither can its descendants.
        expect(chain.unconnectedLen()).toBe(0);
        expect(chain.canAddCandidateAsPotential(entryA)).toMatchObject({
          ok: false,
          error: { code: "RelayParentNotInScope", relayParent: rpX.hash, other: rpY.hash },
        });
        // Taken independently, B and C still have potential: we don't know A has none.
        expect(chain.canAddCandidateAsPotential(entryB).ok).toBe(true);
        expect(chain.canAddCandidateAsPotential(entryC).ok).toBe(true);
      } else {
        expect(unconnectedSet(chain)).toEqual(new Set([hA, hB, hC]));
      }
    }

    // Various depths.
    const depthCases: [number, Hash[], Hash[]][] = [
      // Depth 0 allows one candidate; the others are kept as potential.
      [0, [hA], [hB, hC]],
      [1, [hA, hB], [hC]],
      [2, [hA, hB, hC], []],
      [3, [hA, hB, hC], []],
      [4, [hA, hB, hC], []],
      [5, [hA, hB, hC], []],
    ];
    for (const [depth, best, unconnected] of depthCases) {
      const scope = scopeOf(rpZ, baseConstraints, [], depth, ancestors);
      const empty = FragmentChain.init(scope, new CandidateStorage());
      for (const e of [entryA, entryB, entryC]) {
        expect(empty.canAddCandidateAsPotential(e).ok).toBe(true);
      }
      const chain = populateChainFromPreviousStorage(scope, storage);
      expect(chain.bestChainVec()).toEqual(best);
      expect(unconnectedSet(chain)).toEqual(new Set(unconnected));
    }

    // Relay parents out of scope.
    {
      // A has its relay parent out of scope; B and C are deleted too since they chain from A.
      const scope = scopeOf(rpZ, baseConstraints, [], 4, [rpY]);
      const chain = populateChainFromPreviousStorage(scope, storage);
      expect(chain.bestChainVec()).toEqual([]);
      expect(chain.unconnectedLen()).toBe(0);
      expect(chain.canAddCandidateAsPotential(entryA)).toMatchObject({
        ok: false,
        error: { code: "RelayParentNotInScope" },
      });
      expect(chain.canAddCandidateAsPotential(entryB).ok).toBe(true);
      expect(chain.canAddCandidateAsPotential(entryC).ok).toBe(true);

      // A and B have relay parents out of scope; C is deleted since it chains from them.
      const scope2 = scopeOf(rpZ, baseConstraints, [], 4, []);
      const chain2 = populateChainFromPreviousStorage(scope2, storage);
      expect(chain2.bestChainVec()).toEqual([]);
      expect(chain2.unconnectedLen()).toBe(0);
      for (const e of [entryA, entryB]) {
        expect(chain2.canAddCandidateAsPotential(e)).toMatchObject({
          ok: false,
          error: { code: "RelayParentNotInScope", relayParent: e.relayParent, other: rpZ.hash },
        });
      }
      expect(chain2.canAddCandidateAsPotential(entryC).ok).toBe(true);
    }

    const scope = scopeOf(rpZ, baseConstraints, [], 4, ancestors);

    // Parachain cycle is not allowed. Make C have the same parent as A.
    {
      const modified = storage.clone();
      modified.removeCandidate(hC);
      const wrongC = entry(repeatByte(0xca), cand(rpZ, "0x0c", "0x0a"), "Backed");
      modified.addCandidateEntry(wrongC);
      const chain = populateChainFromPreviousStorage(scope, modified);
      expect(chain.bestChainVec()).toEqual([hA, hB]);
      expect(chain.unconnectedLen()).toBe(0);
      expect(chain.canAddCandidateAsPotential(wrongC)).toEqual({
        ok: false,
        error: { code: "Cycle" },
      });
      // Taken independently, C still has potential: we don't know A and B.
      const empty = FragmentChain.init(scope, new CandidateStorage());
      expect(empty.canAddCandidateAsPotential(wrongC).ok).toBe(true);
    }

    // Candidate C has the same relay parent as candidate A's parent. Relay parent not allowed to
    // move backwards.
    {
      const modified = storage.clone();
      modified.removeCandidate(hC);
      const wrongC = entry(repeatByte(0xcb), cand(rpX, "0x0c", "0x0d", 0), "Backed");
      modified.addCandidateEntry(wrongC);
      const chain = populateChainFromPreviousStorage(scope, modified);
      expect(chain.bestChainVec()).toEqual([hA, hB]);
      expect(chain.unconnectedLen()).toBe(0);
      expect(chain.canAddCandidateAsPotential(wrongC)).toEqual({
        ok: false,
        error: { code: "RelayParentMovedBackwards" },
      });
    }

    // Candidate C is an unconnected candidate. Its relay parent may move backwards from B's,
    // because C may later trigger a reorg and B may get removed.
    const modified = storage.clone();
    modified.removeCandidate(hC);
    const hUnconnectedC = repeatByte(0xce);
    const unconnectedC = entry(hUnconnectedC, cand(rpX, "0x0d", "0x0e", 0), "Backed");
    modified.addCandidateEntry(unconnectedC);
    expect(
      FragmentChain.init(scope, new CandidateStorage()).canAddCandidateAsPotential(unconnectedC).ok,
    ).toBe(true);
    {
      const chain = populateChainFromPreviousStorage(scope, modified);
      expect(chain.bestChainVec()).toEqual([hA, hB]);
      expect(unconnectedSet(chain)).toEqual(new Set([hUnconnectedC]));
    }

    // Candidate A is pending availability and C is unconnected: C's relay parent may not move
    // backwards from A's, since A is already on chain and will not be removed.
    modified.removeCandidate(hA);
    const hModifiedA = repeatByte(0x60);
    modified.addCandidateEntry(entry(hModifiedA, cand(rpY, "0x0a", "0x0b"), "Backed"));
    const pendingModifiedA = [{ candidateHash: hModifiedA, relayParent: rpY }];
    {
      const scopePa = scopeOf(rpZ, baseConstraints, pendingModifiedA, 4, ancestors);
      const chain = populateChainFromPreviousStorage(scopePa, modified);
      expect(chain.bestChainVec()).toEqual([hModifiedA, hB]);
      expect(chain.unconnectedLen()).toBe(0);
      expect(chain.canAddCandidateAsPotential(unconnectedC)).toEqual({
        ok: false,
        error: {
          code: "RelayParentPrecedesCandidatePendingAvailability",
          relayParent: rpX.hash,
          other: rpY.hash,
        },
      });
    }

    // Not allowed to fork from a candidate pending availability.
    const hWrongC = repeatByte(0x10);
    const wrongC = entry(hWrongC, cand(rpY, "0x0a", "0x0b02", 0), "Backed");
    modified.addCandidateEntry(wrongC);
    // It does not matter that the fork selection rule would have picked the new candidate.
    expect(forkSelectionRule(hWrongC, hModifiedA)).toBeLessThan(0);
    {
      const scopePa = scopeOf(rpZ, baseConstraints, pendingModifiedA, 4, ancestors);
      const chain = populateChainFromPreviousStorage(scopePa, modified);
      expect(chain.bestChainVec()).toEqual([hModifiedA, hB]);
      expect(chain.unconnectedLen()).toBe(0);
      expect(chain.canAddCandidateAsPotential(wrongC)).toEqual({
        ok: false,
        error: { code: "ForkWithCandidatePendingAvailability", candidate: hModifiedA },
      });
    }

    // Test with candidates pending availability: valid options.
    for (const pending of [
      [{ candidateHash: hA, relayParent: rpX }],
      [
        { candidateHash: hA, relayParent: rpX },
        { candidateHash: hB, relayParent: rpY },
      ],
      [
        { candidateHash: hA, relayParent: rpX },
        { candidateHash: hB, relayParent: rpY },
        { candidateHash: hC, relayParent: rpZ },
      ],
    ]) {
      const scopePa = scopeOf(rpZ, baseConstraints, pending, 3, ancestors);
      const chain = populateChainFromPreviousStorage(scopePa, storage);
      expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
      expect(chain.unconnectedLen()).toBe(0);
    }
    {
      // Relay parents of pending availability candidates can be out of scope.
      const scopePa = scopeOf(rpZ, baseConstraints, [{ candidateHash: hA, relayParent: rpX }], 4, [
        rpY,
      ]);
      const chain = populateChainFromPreviousStorage(scopePa, storage);
      expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
      expect(chain.unconnectedLen()).toBe(0);

      // Even relay parents of pending availability candidates which are out of scope cannot
      // move backwards.
      const scopeBack = scopeOf(
        rpZ,
        baseConstraints,
        [
          { candidateHash: hA, relayParent: { ...rpX, number: 1 } },
          { candidateHash: hB, relayParent: { ...rpY, number: 0 } },
        ],
        4,
        [],
      );
      const chainBack = populateChainFromPreviousStorage(scopeBack, storage);
      expect(chainBack.bestChainVec()).toEqual([]);
      expect(chainBack.unconnectedLen()).toBe(0);
    }

    // More complex case: max_depth 2 (a chain of at most 3).
    // A -> B -> C are the best backable chain. D is backed but would exceed the max depth.
    // F is unconnected and seconded. A1 has the same parent as A, is backed but has a higher
    // candidate hash: it is deleted, with its subtree A1 -> B1, B1 -> C1 and B1 -> C2 (C1 is
    // backed). A2 is seconded but kept because its hash is lower than A's. A2 points to B2,
    // which is backed. D, F, A2 and B2 are kept as unconnected potential candidates.
    const scope2 = scopeOf(rpZ, baseConstraints, [], 2, ancestors);

    const hD = repeatByte(0xdd);
    const entryD = entry(hD, cand(rpZ, "0x0d", "0x0e"), "Backed");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryD).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryD);

    const hF = repeatByte(0xf0);
    const entryF = entry(hF, cand(rpZ, "0x0f", "0xf1", 1000), "Seconded");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryF).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryF);

    const hA1 = repeatByte(0x51);
    const entryA1 = entry(hA1, cand(rpX, "0x0a", "0xb1"), "Backed");
    expect(forkSelectionRule(hA, hA1)).toBeLessThan(0);
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryA1),
    ).toEqual({ ok: false, error: { code: "ForkChoiceRule", candidate: hA } });
    storage.addCandidateEntry(entryA1);

    const hB1 = repeatByte(0xb1);
    const entryB1 = entry(hB1, cand(rpX, "0xb1", "0xc1"), "Seconded");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryB1).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryB1);

    const hC1 = repeatByte(0xc1);
    const entryC1 = entry(hC1, cand(rpX, "0xc1", "0xd1"), "Backed");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryC1).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryC1);

    const hC2 = repeatByte(0xc2);
    const entryC2 = entry(hC2, cand(rpX, "0xc1", "0xd2"), "Seconded");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryC2).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryC2);

    const hA2 = repeatByte(0x4f);
    const entryA2 = entry(hA2, cand(rpX, "0x0a", "0xb3"), "Seconded");
    expect(forkSelectionRule(hA2, hA)).toBeLessThan(0);
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryA2).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryA2);

    const hB2 = repeatByte(0xb2);
    const entryB2 = entry(hB2, cand(rpY, "0xb3", "0xb4"), "Backed");
    expect(
      populateChainFromPreviousStorage(scope2, storage).canAddCandidateAsPotential(entryB2).ok,
    ).toBe(true);
    storage.addCandidateEntry(entryB2);

    let chain = populateChainFromPreviousStorage(scope2, storage);
    expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
    expect(unconnectedSet(chain)).toEqual(new Set([hD, hF, hA2, hB2]));
    // A candidate already present (in the best chain or unconnected) cannot be added again.
    expect(chain.canAddCandidateAsPotential(entryA)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });
    expect(chain.canAddCandidateAsPotential(entryF)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });

    // Simulate a best chain reorg by backing A2.
    {
      const reorged = chain.clone();
      reorged.candidateBacked(hA2);
      expect(reorged.bestChainVec()).toEqual([hA2, hB2]);
      // F is kept as it was truly unconnected. The rest is trimmed.
      expect(unconnectedSet(reorged)).toEqual(new Set([hF]));
      // A and A1 will never have potential again.
      expect(reorged.canAddCandidateAsPotential(entryA1)).toMatchObject({
        ok: false,
        error: { code: "ForkChoiceRule", candidate: hA2 },
      });
      expect(reorged.canAddCandidateAsPotential(entryA)).toMatchObject({
        ok: false,
        error: { code: "ForkChoiceRule", candidate: hA2 },
      });
      // The clone did not touch the original.
      expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
    }

    // F has an invalid hrmp watermark, not checked so far as its parent is unknown. Add its
    // parent E now; this changes nothing as E is not in the best chain yet.
    const hE = repeatByte(0xee);
    storage.addCandidateEntry(entry(hE, cand(rpZ, "0x0e", "0x0f"), "Seconded"));
    chain = populateChainFromPreviousStorage(scope2, storage);
    expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
    expect(unconnectedSet(chain)).toEqual(new Set([hD, hF, hA2, hB2, hE]));

    // Simulate that A, B and C are now pending availability: A2 and B2 are trimmed.
    const scopePending = scopeOf(
      rpZ,
      baseConstraints,
      [
        { candidateHash: hA, relayParent: rpX },
        { candidateHash: hB, relayParent: rpY },
        { candidateHash: hC, relayParent: rpZ },
      ],
      2,
      ancestors,
    );
    chain = populateChainFromPreviousStorage(scopePending, storage);
    expect(chain.bestChainVec()).toEqual([hA, hB, hC]);
    expect(unconnectedSet(chain)).toEqual(new Set([hD, hF, hE]));
    // A candidate pending availability cannot be added as potential.
    expect(chain.canAddCandidateAsPotential(entryA)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });

    // Simulate that A, B and C have been included.
    const scopeIncluded = scopeOf(rpZ, makeConstraints(0, [0], "0x0d"), [], 2, ancestors);
    const prevChain = chain;
    chain = FragmentChain.init(scopeIncluded, new CandidateStorage());
    chain.populateFromPrevious(prevChain);
    expect(chain.bestChainVec()).toEqual([hD]);
    expect(unconnectedSet(chain)).toEqual(new Set([hE, hF]));

    // Mark E as backed. F is dropped for its invalid watermark. No other unconnected candidates.
    chain.candidateBacked(hE);
    expect(chain.bestChainVec()).toEqual([hD, hE]);
    expect(chain.unconnectedLen()).toBe(0);
    expect(chain.canAddCandidateAsPotential(entryF)).toEqual({
      ok: false,
      error: {
        code: "CheckAgainstConstraints",
        inner: {
          code: "OutputsInvalid",
          inner: { code: "DisallowedHrmpWatermark", watermark: 1000 },
        },
      },
    });
  });

  it("test_find_ancestor_path_and_find_backable_chain_empty_best_chain", () => {
    const relayParent: RelayChainBlockInfo = {
      number: 0,
      hash: repeatByte(1),
      storageRoot: ZERO_HASH,
    };
    const scope = scopeOf(relayParent, makeConstraints(0, [0], "0xff"), [], 10, []);
    const chain = FragmentChain.init(scope, new CandidateStorage());
    expect(chain.bestChainLen()).toBe(0);
    expect(chain.findAncestorPath([])).toBe(0);
    expect(chain.findBackableChain([], 2)).toEqual([]);
    // Invalid candidate.
    expect(chain.findAncestorPath([ZERO_HASH])).toBe(0);
    expect(chain.findBackableChain([ZERO_HASH], 2)).toEqual([]);
  });

  describe("test_find_ancestor_path_and_find_backable_chain", () => {
    const relayParent = repeatByte(1);
    const relayParentInfo: RelayChainBlockInfo = {
      number: 0,
      hash: relayParent,
      storageRoot: ZERO_HASH,
    };
    const maxDepth = 5;
    const baseConstraints = makeConstraints(0, [0], "0xff");
    const hashes = Array.from({ length: 6 }, (_, i) => repeatByte(0xc0 + i));
    const committed = hashes.map((_, i) =>
      makeCommittedCandidate(5, relayParent, 0, i === 0 ? "0xff" : `0x0${i - 1}`, `0x0${i}`, 0),
    );
    const seconded = () => storageOf(...committed.map((c, i) => entry(hashes[i]!, c, "Seconded")));
    const range = (from: number, to: number) =>
      hashes.slice(from, to).map((candidateHash) => ({ candidateHash, relayParent }));
    const scope = scopeOf(relayParentInfo, baseConstraints, [], maxDepth, []);

    it("seconded only: nothing is backable", () => {
      const chain = populateChainFromPreviousStorage(scope, seconded());
      expect(chain.bestChainLen()).toBe(0);
      expect(chain.unconnectedLen()).toBe(6);
      for (let count = 0; count < 10; count++) {
        expect(chain.findBackableChain([], count)).toEqual([]);
      }
    });

    it("partial backing, then the missing piece", () => {
      const chain = populateChainFromPreviousStorage(scope, seconded());
      const none = () => {
        for (let count = 0; count < 10; count++) {
          expect(chain.findBackableChain([], count)).toEqual([]);
        }
      };
      chain.candidateBacked(hashes[5]!);
      none();
      chain.candidateBacked(hashes[3]!);
      chain.candidateBacked(hashes[4]!);
      none();
      chain.candidateBacked(hashes[1]!);
      none();
      chain.candidateBacked(hashes[0]!);
      expect(chain.findBackableChain([], 1)).toEqual(range(0, 1));
      for (let count = 2; count < 10; count++) {
        expect(chain.findBackableChain([], count)).toEqual(range(0, 2));
      }
      // Now back the missing piece.
      chain.candidateBacked(hashes[2]!);
      expect(chain.bestChainLen()).toBe(6);
      for (let count = 0; count < 10; count++) {
        expect(chain.findBackableChain([], count)).toEqual(range(0, Math.min(count, 6)));
      }
    });

    it("all backed in any order", () => {
      const orders = [
        [0, 1, 2, 3, 4, 5],
        [5, 4, 3, 2, 1, 0],
        [2, 0, 5, 1, 4, 3],
        [3, 5, 1, 0, 2, 4],
      ];
      for (const order of orders) {
        const storage = seconded();
        const chain = populateChainFromPreviousStorage(scope, storage);
        for (const i of order) {
          chain.candidateBacked(hashes[i]!);
          storage.markBacked(hashes[i]!);
        }
        // No ancestors supplied.
        expect(chain.findAncestorPath([])).toBe(0);
        expect(chain.findBackableChain([], 0)).toEqual([]);
        expect(chain.findBackableChain([], 1)).toEqual(range(0, 1));
        expect(chain.findBackableChain([], 2)).toEqual(range(0, 2));
        expect(chain.findBackableChain([], 5)).toEqual(range(0, 5));
        for (let count = 6; count < 10; count++) {
          expect(chain.findBackableChain([], count)).toEqual(range(0, 6));
        }

        const cases: [Hash[], number, [number, [number, number]][]][] = [
          // An ancestor which is not part of the chain is ignored.
          [[ZERO_HASH], 0, [[4, [0, 4]]]],
          [[hashes[1]!, ZERO_HASH], 0, [[4, [0, 4]]]],
          [[hashes[0]!, ZERO_HASH], 1, [[4, [1, 5]]]],
          // Ancestors part of the chain but not a path from the root are ignored.
          [[hashes[1]!, hashes[2]!], 0, [[4, [0, 4]]]],
          // Valid ancestors.
          [
            [hashes[2]!, hashes[0]!, hashes[1]!],
            3,
            [
              [2, [3, 5]],
              [3, [3, 6]],
              [9, [3, 6]],
            ],
          ],
          // Valid ancestors with candidates omitted due to timeouts.
          [
            [hashes[0]!, hashes[2]!],
            1,
            [
              [3, [1, 4]],
              [4, [1, 5]],
              [5, [1, 6]],
              [9, [1, 6]],
            ],
          ],
          [
            [hashes[0]!, hashes[1]!, hashes[3]!],
            2,
            [
              [4, [2, 6]],
              [0, [0, 0]],
            ],
          ],
        ];
        for (const [ancestors, path, backable] of cases) {
          expect(chain.findAncestorPath(ancestors)).toBe(path);
          for (const [count, [from, to]] of backable) {
            expect(chain.findBackableChain(ancestors, count)).toEqual(range(from, to));
          }
        }

        // Stop when a candidate pending availability is found (the fourth one).
        const scopePa = scopeOf(
          relayParentInfo,
          baseConstraints,
          [{ candidateHash: hashes[3]!, relayParent: relayParentInfo }],
          maxDepth,
          [],
        );
        const chainPa = populateChainFromPreviousStorage(scopePa, storage);
        expect(chainPa.findBackableChain([hashes[0]!, hashes[1]!], 3)).toEqual(range(2, 3));
      }
    });
  });
});

describe("candidate_backed reorgs", () => {
  // A linear chain 0xff -> 0x01 -> 0x02 -> 0x03 of candidates X1, X2, X3 and a fork Y2 of X2
  // (same parent 0x01) with its child Y3. Hashes decide which fork wins.
  const rp: RelayChainBlockInfo = { number: 0, hash: repeatByte(1), storageRoot: ZERO_HASH };
  const base = makeConstraints(0, [0], "0xff");
  const mk = (parent: string, head: string) =>
    makeCommittedCandidate(5, rp.hash, 0, parent, head, 0);
  const hX1 = repeatByte(0x30);
  const hX2 = repeatByte(0x80);
  const hX3 = repeatByte(0x81);
  const x1 = mk("0xff", "0x01");
  const x2 = mk("0x01", "0x02");
  const x3 = mk("0x02", "0x03");
  const y2 = mk("0x01", "0x12");
  const y3 = mk("0x12", "0x13");

  function chainWithX(maxDepth = 4): FragmentChain {
    const scope = scopeOf(rp, base, [], maxDepth, []);
    return populateChainFromPreviousStorage(
      scope,
      storageOf(entry(hX1, x1, "Backed"), entry(hX2, x2, "Backed"), entry(hX3, x3, "Backed")),
    );
  }

  function introduce(chain: FragmentChain, hash: Hash, c: ReturnType<typeof mk>) {
    return chain.tryAddingSecondedCandidate(entry(hash, c, "Seconded"));
  }

  it("a lower-hash fork in the middle replaces the tail (revert_to a chain node)", () => {
    const chain = chainWithX();
    expect(chain.bestChainVec()).toEqual([hX1, hX2, hX3]);
    const hY2 = repeatByte(0x70);
    const hY3 = repeatByte(0x71);
    expect(introduce(chain, hY2, y2).ok).toBe(true);
    expect(introduce(chain, hY3, y3).ok).toBe(true);
    chain.candidateBacked(hY3);
    // Y3's parent is not in the chain: it stays unconnected, but backed.
    expect(chain.bestChainVec()).toEqual([hX1, hX2, hX3]);
    expect(chain.isCandidateBacked(hY3)).toBe(true);
    expect(chain.isCandidateBacked(hY2)).toBe(false);
    chain.candidateBacked(hY2);
    expect(chain.bestChainVec()).toEqual([hX1, hY2, hY3]);
    // X2 lost the fork choice, X3 lost its parent: both are trimmed.
    expect(chain.unconnectedLen()).toBe(0);
    expect(chain.getHeadDataByHash(hashHex("0x13"))).toBe("0x13");
    expect(chain.getHeadDataByHash(hashHex("0x03"))).toBeUndefined();
  });

  it("a higher-hash fork is not even potential", () => {
    const chain = chainWithX();
    const hY2 = repeatByte(0x90);
    expect(introduce(chain, hY2, y2)).toEqual({
      ok: false,
      error: { code: "ForkChoiceRule", candidate: hX2 },
    });
    expect(chain.unconnectedLen()).toBe(0);
  });

  it("a higher-hash fork seconded before the chain node was backed is trimmed on backing", () => {
    const scope = scopeOf(rp, base, [], 4, []);
    const chain = FragmentChain.init(scope, new CandidateStorage());
    const hY2 = repeatByte(0x90);
    for (const [h, c] of [
      [hX1, x1],
      [hX2, x2],
      [hY2, y2],
    ] as const) {
      expect(introduce(chain, h, c).ok).toBe(true);
    }
    chain.candidateBacked(hX1);
    chain.candidateBacked(hY2);
    expect(chain.bestChainVec()).toEqual([hX1, hY2]);
    // X2 has a lower hash than Y2: still potential.
    expect(unconnectedSet(chain)).toEqual(new Set([hX2]));
    chain.candidateBacked(hX2);
    expect(chain.bestChainVec()).toEqual([hX1, hX2]);
    expect(chain.unconnectedLen()).toBe(0);
  });

  it("backing a candidate building on a full chain keeps it unconnected until room is made", () => {
    const chain = chainWithX(1);
    expect(chain.bestChainVec()).toEqual([hX1, hX2]);
    expect(unconnectedSet(chain)).toEqual(new Set([hX3]));
    expect(chain.isCandidateBacked(hX3)).toBe(true);
    // Backing again a chain node is a no-op; so is an unknown candidate.
    chain.candidateBacked(hX1);
    chain.candidateBacked(repeatByte(0xee));
    expect(chain.bestChainVec()).toEqual([hX1, hX2]);
  });

  it("try_adding_seconded_candidate refuses backed entries and known candidates", () => {
    const chain = chainWithX();
    expect(chain.tryAddingSecondedCandidate(entry(repeatByte(0x70), y2, "Backed"))).toEqual({
      ok: false,
      error: { code: "IntroduceBackedCandidate" },
    });
    expect(introduce(chain, hX2, x2)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });
    expect(introduce(chain, repeatByte(0x70), y2).ok).toBe(true);
    expect(introduce(chain, repeatByte(0x70), y2)).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });
  });

  it("multiple paths to the same head are refused", () => {
    const chain = chainWithX();
    // Builds on X1's output (a lower-hash fork of X2) and outputs the tip's head.
    expect(introduce(chain, repeatByte(0x10), mk("0x01", "0x03"))).toEqual({
      ok: false,
      error: { code: "MultiplePaths" },
    });
    // Outputs the parent head of a chain node: a cycle (checked first).
    expect(introduce(chain, repeatByte(0x11), mk("0x01", "0x02"))).toEqual({
      ok: false,
      error: { code: "Cycle" },
    });
  });

  it("getHeadDataByHash looks in the base, the best chain and then unconnected", () => {
    const chain = chainWithX();
    expect(chain.getHeadDataByHash(hashHex("0xff"))).toBe("0xff");
    expect(chain.getHeadDataByHash(hashHex("0x02"))).toBe("0x02");
    expect(chain.getHeadDataByHash(hashHex("0x12"))).toBeUndefined();
    expect(introduce(chain, repeatByte(0x05), mk("0x55", "0x56")).ok).toBe(true);
    expect(chain.getHeadDataByHash(hashHex("0x55"))).toBe("0x55");
    expect(chain.getHeadDataByHash(hashHex("0x56"))).toBe("0x56");
  });
});

describe("hypothetical candidates", () => {
  const rp: RelayChainBlockInfo = { number: 0, hash: repeatByte(1), storageRoot: ZERO_HASH };
  const mk = (parent: string, head: string) =>
    makeCommittedCandidate(5, rp.hash, 0, parent, head, 0);
  const hX1 = repeatByte(0x30);
  const scope = scopeOf(rp, makeConstraints(0, [0], "0xff"), [], 4, []);
  const chain = populateChainFromPreviousStorage(
    scope,
    storageOf(entry(hX1, mk("0xff", "0x01"), "Backed")),
  );
  const incomplete = (candidateHash: Hash, parentHead: string, relayParent: Hash) =>
    hypotheticalAsPotential({
      kind: "Incomplete",
      candidateHash,
      candidatePara: 5,
      parentHeadDataHash: hashHex(parentHead),
      candidateRelayParent: relayParent,
    });

  it("incomplete candidates get the checks that need no commitments", () => {
    // Builds on the chain tip: nothing more to check without commitments.
    expect(chain.canAddCandidateAsPotential(incomplete(repeatByte(0x40), "0x01", rp.hash)).ok).toBe(
      true,
    );
    // Unknown parent.
    expect(chain.canAddCandidateAsPotential(incomplete(repeatByte(0x40), "0x77", rp.hash)).ok).toBe(
      true,
    );
    // A fork of X1 with a higher hash loses; with a lower one it has potential.
    expect(chain.canAddCandidateAsPotential(incomplete(repeatByte(0x40), "0xff", rp.hash))).toEqual(
      {
        ok: false,
        error: { code: "ForkChoiceRule", candidate: hX1 },
      },
    );
    expect(chain.canAddCandidateAsPotential(incomplete(repeatByte(0x20), "0xff", rp.hash)).ok).toBe(
      true,
    );
    expect(
      chain.canAddCandidateAsPotential(incomplete(repeatByte(0x40), "0x01", repeatByte(9))),
    ).toEqual({
      ok: false,
      error: { code: "RelayParentNotInScope", relayParent: repeatByte(9), other: rp.hash },
    });
    // Already known.
    expect(chain.canAddCandidateAsPotential(incomplete(hX1, "0xff", rp.hash))).toEqual({
      ok: false,
      error: { code: "CandidateAlreadyKnown" },
    });
  });

  it("complete candidates are checked against the constraints", () => {
    const bad = mk("0x01", "0x02");
    const wrongPvd = { ...bad.pvd, maxPovSize: 5 };
    const r = chain.canAddCandidateAsPotential(
      hypotheticalAsPotential({
        kind: "Complete",
        candidateHash: repeatByte(0x40),
        receipt: bad.receipt,
        persistedValidationData: wrongPvd,
      }),
    );
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: "CheckAgainstConstraints",
        inner: { code: "PersistedValidationDataMismatch" },
      },
    });
    const good = mk("0x01", "0x02");
    expect(
      chain.canAddCandidateAsPotential(
        hypotheticalAsPotential({
          kind: "Complete",
          candidateHash: repeatByte(0x40),
          receipt: good.receipt,
          persistedValidationData: good.pvd,
        }),
      ).ok,
    ).toBe(true);
  });
});
