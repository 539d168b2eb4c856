import { describe, expect, it } from "vitest";
import { type Hash, type Hex, repeatByte, toHex, ZERO_HASH } from "../../src/lib/hex.ts";
import { err, ok } from "../../src/lib/result.ts";
import { candidateHash } from "../../src/primitives/candidate.ts";
import type { TransposedClaimQueue } from "../../src/primitives/claim-queue.ts";
import type { CommittedCandidateReceipt, ParaId } from "../../src/primitives/codecs.ts";
import type { BackedCandidate, SignedAvailabilityBitfield } from "../../src/primitives/inherent.ts";
import { bitfieldSigningPayload, encodeBitVec } from "../../src/primitives/statements.ts";
import { UMP_SEPARATOR } from "../../src/primitives/ump.ts";
import type { CandidatePendingAvailability } from "../../src/relay/inclusion.ts";
import { registerPara } from "../../src/relay/paras.ts";
import {
  type CheckCoreIndex,
  type DroppedCandidate,
  filterUnchainedCandidates,
  mapCandidatesToCores,
  retainCandidates,
  sanitizeBackedCandidates,
  sanitizeBackedCandidateV2,
  sanitizeBitfields,
  scheduledCoresPerPara,
} from "../../src/relay/paras-inherent.ts";
import {
  type AllowedRelayParentsTracker,
  newAllowedRelayParentsTracker,
  trackerUpdate,
} from "../../src/relay/shared.ts";
import { newRelayState, type RelayState } from "../../src/relay/state.ts";
import {
  backCandidate,
  type CandidateSpec,
  config,
  DUMMY_CODE,
  EMPTY_HEAD,
  fakeSign,
  fakeVerify,
  head,
  makeCandidate,
} from "./helpers.ts";

const SESSION = 5;
const PARENT: Hash = repeatByte(0xaa);
const RPN = 4;

// ---------------------------------------------------------------------------------------------
// Bitfields (inclusion/tests.rs::bitfield_checks)
// ---------------------------------------------------------------------------------------------

describe("sanitize_bitfields", () => {
  const expectedBits = 3;
  const sign = (
    validatorIndex: number,
    payload: boolean[],
    signer = validatorIndex,
  ): SignedAvailabilityBitfield => ({
    validatorIndex,
    payload,
    signature: fakeSign(
      signer,
      bitfieldSigningPayload(payload, { sessionIndex: SESSION, parentHash: PARENT }),
    ),
  });
  const run = (
    bs: SignedAvailabilityBitfield[],
    disputed = [false, false, false],
    bits = expectedBits,
  ) => sanitizeBitfields(bs, disputed, bits, PARENT, SESSION, 5, fakeVerify);
  const empty = () => [false, false, false];

  it("bitfield_checks", () => {
    // too many bits in bitfield
    expect(run([sign(0, [false, false, false, false])])).toEqual([]);
    // not enough bits
    expect(run([sign(0, empty())], [false, false, false, false], 4)).toEqual([]);
    // non-pending bit set / empty bitfield: kept.
    expect(run([sign(0, [true, false, false])])).toEqual([
      { validatorIndex: 0, payload: [true, false, false] },
    ]);
    expect(run([sign(0, empty())]).length).toBe(1);
  });

  it("drops disputed cores, unordered or duplicate validators, out-of-bounds indices and bad signatures", () => {
    expect(run([sign(0, [false, true, false])], [false, true, false])).toEqual([]);
    expect(run([sign(1, empty()), sign(0, empty())]).map((b) => b.validatorIndex)).toEqual([1]);
    expect(run([sign(1, empty()), sign(1, empty())]).map((b) => b.validatorIndex)).toEqual([1]);
    expect(run([sign(5, empty())])).toEqual([]);
    // A bad signature drops the bitfield but still advances the last index.
    expect(
      run([sign(1, empty(), 2), sign(1, empty()), sign(2, empty())]).map((b) => b.validatorIndex),
    ).toEqual([2]);
    // A disputed bitfield of the wrong length drops everything.
    expect(run([sign(0, empty())], [false])).toEqual([]);
  });

  it("signs the SCALE bit vector followed by the signing context", () => {
    expect(toHex(encodeBitVec([true, false, true, false, false, false, false, false, true]))).toBe(
      "0x240501",
    );
    expect(toHex(encodeBitVec([]))).toBe("0x00");
    expect(bitfieldSigningPayload([true], { sessionIndex: 1, parentHash: ZERO_HASH }).length).toBe(
      2 + 4 + 32,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Backed candidates
// ---------------------------------------------------------------------------------------------

interface Fixture {
  state: RelayState;
  allowed: AllowedRelayParentsTracker;
  spec: (para: ParaId, h: Hex, extra?: Partial<CandidateSpec>) => CandidateSpec;
}

/** Paras 1..3 with empty genesis heads; 4 groups of 2 over 8 validators; rotation never. */
function fixture(): Fixture {
  const state = newRelayState(
    config({ maxHeadDataSize: 32 }, { numCores: 4, groupRotationFrequency: 4294967295 }),
  );
  state.now = RPN + 1;
  state.shared.currentSessionIndex = SESSION;
  state.shared.activeValidatorKeys = Array.from({ length: 8 }, (_, i) => repeatByte(i));
  state.scheduler.validatorGroups = [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
  ];
  for (const p of [1, 2, 3]) registerPara(state.paras, p, EMPTY_HEAD, DUMMY_CODE);
  const allowed = newAllowedRelayParentsTracker();
  trackerUpdate(allowed, repeatByte(0xa9), ZERO_HASH, new Map(), RPN - 1, 2);
  trackerUpdate(
    allowed,
    PARENT,
    ZERO_HASH,
    new Map([
      [0, [1]],
      [1, [1]],
      [2, [2]],
    ]),
    RPN,
    2,
  );
  const spec = (para: ParaId, h: Hex, extra: Partial<CandidateSpec> = {}): CandidateSpec => ({
    para,
    relayParent: PARENT,
    relayParentNumber: RPN,
    parentHead: EMPTY_HEAD,
    head: h,
    ...extra,
  });
  return { state, allowed, spec };
}

const back = (c: CommittedCandidateReceipt, group: number[], core: number | null = null) =>
  backCandidate(c, group, 2, SESSION, core);
const hashes = (m: Map<ParaId, BackedCandidate[]> | Map<ParaId, [BackedCandidate, number][]>) =>
  new Map(
    [...m].map(([p, list]) => [
      p,
      list.map((e) => candidateHash(Array.isArray(e) ? e[0].candidate : e.candidate)),
    ]),
  );

/** A V2 descriptor with the same fields (reserved areas zero). */
function toV2(
  c: CommittedCandidateReceipt,
  coreIndex: number,
  sessionIndex = SESSION,
  version = 0,
): CommittedCandidateReceipt {
  const d = c.descriptor;
  return {
    commitments: c.commitments,
    descriptor: {
      kind: "v2",
      paraId: d.paraId,
      relayParent: d.relayParent,
      version,
      coreIndex,
      sessionIndex,
      persistedValidationDataHash: d.persistedValidationDataHash,
      povHash: d.povHash,
      erasureRoot: d.erasureRoot,
      paraHead: d.paraHead,
      validationCodeHash: d.validationCodeHash,
    },
  };
}

describe("retain_candidates", () => {
  it("keeps the longest prefix passing the predicate and removes emptied paras", () => {
    const m = new Map([
      [1, [1, 2, 3, 4]],
      [2, [5, 6]],
      [3, [7]],
    ]);
    const drops: [number, number[], string][] = [];
    retainCandidates(
      m,
      (_p, c) => (c !== 3 && c !== 5 ? null : `bad ${c}`),
      (p, removed, reason) => drops.push([p, removed, reason]),
    );
    expect(m).toEqual(
      new Map([
        [1, [1, 2]],
        [3, [7]],
      ]),
    );
    expect(drops).toEqual([
      [1, [3, 4], "bad 3"],
      [2, [5, 6], "bad 5"],
    ]);
  });
});

describe("filter_unchained_candidates", () => {
  it("keeps a chain in dependency order and drops everything from the first break", () => {
    const { state, allowed, spec } = fixture();
    const a1 = back(makeCandidate(spec(1, head(1))), [0, 1]);
    const a2 = back(makeCandidate(spec(1, head(2), { parentHead: head(1) })), [2, 3]);
    const a3 = back(makeCandidate(spec(1, head(3), { parentHead: head(2) })), [4, 5]);
    const b2 = back(makeCandidate(spec(2, head(2), { parentHead: head(1) })), [0, 1]);
    const b1 = back(makeCandidate(spec(2, head(1))), [2, 3]);
    const m = new Map([
      [1, [a1, a2, a3]],
      [2, [b2, b1]], // out of order: nothing survives
    ]);
    filterUnchainedCandidates(state, m, allowed);
    expect(hashes(m)).toEqual(new Map([[1, [a1, a2, a3].map((b) => candidateHash(b.candidate))]]));
  });

  it("stops at a duplicate (A -> B -> A: only A, B)", () => {
    const { state, allowed, spec } = fixture();
    const a = back(makeCandidate(spec(1, head(1))), [0, 1]);
    const b = back(makeCandidate(spec(1, EMPTY_HEAD, { parentHead: head(1) })), [2, 3]);
    const m = new Map([[1, [a, b, a]]]);
    filterUnchainedCandidates(state, m, allowed);
    expect(m.get(1)!.length).toBe(2);
  });

  it("relay parents may not go backwards from the previous candidate or the most recent context", () => {
    const { state, allowed, spec } = fixture();
    const a1 = back(makeCandidate(spec(1, head(1))), [0, 1]);
    const a2 = back(
      makeCandidate(
        spec(1, head(2), {
          parentHead: head(1),
          relayParent: repeatByte(0xa9),
          relayParentNumber: RPN - 1,
        }),
      ),
      [2, 3],
    );
    const m = new Map([[1, [a1, a2]]]);
    filterUnchainedCandidates(state, m, allowed);
    expect(m.get(1)!.length).toBe(1);

    state.paras.mostRecentContext.set(2, RPN);
    const old = back(
      makeCandidate(
        spec(2, head(1), { relayParent: repeatByte(0xa9), relayParentNumber: RPN - 1 }),
      ),
      [0, 1],
    );
    const m2 = new Map([[2, [old]]]);
    filterUnchainedCandidates(state, m2, allowed);
    expect(m2.size).toBe(0);
  });

  it("chains on top of the candidates pending availability", () => {
    const { state, allowed, spec } = fixture();
    const pendingHead = head(7, 7);
    const p: CandidatePendingAvailability = {
      core: 0,
      hash: repeatByte(1),
      descriptor: makeCandidate(spec(1, pendingHead)).descriptor,
      commitments: makeCandidate(spec(1, pendingHead)).commitments,
      availabilityVotes: [],
      backers: [],
      relayParentNumber: RPN,
      backedInNumber: RPN,
      backingGroup: 0,
    };
    state.inclusion.pendingAvailability.set(1, [p]);
    const onIncluded = back(makeCandidate(spec(1, head(1))), [0, 1]);
    const onPending = back(makeCandidate(spec(1, head(1), { parentHead: pendingHead })), [0, 1]);
    const m = new Map([[1, [onIncluded]]]);
    filterUnchainedCandidates(state, m, allowed);
    expect(m.size).toBe(0);
    const m2 = new Map([[1, [onPending]]]);
    filterUnchainedCandidates(state, m2, allowed);
    expect(m2.get(1)!.length).toBe(1);
  });
});

describe("map_candidates_to_cores", () => {
  it("one scheduled core without core indices: only the first candidate, on that core", () => {
    const { state, allowed, spec } = fixture();
    const a1 = back(makeCandidate(spec(1, head(1))), [0, 1]);
    const a2 = back(makeCandidate(spec(1, head(2), { parentHead: head(1) })), [0, 1]);
    const out = mapCandidatesToCores(
      state,
      allowed,
      new Map([[1, new Set([3])]]),
      false,
      new Map([[1, [a1, a2]]]),
    );
    expect(out).toEqual(new Map([[1, [[a1, 3]]]]));
  });

  it("several scheduled cores without core indices: all dropped; unscheduled paras: dropped", () => {
    const { state, allowed, spec } = fixture();
    const a1 = back(makeCandidate(spec(1, head(1))), [0, 1], 0);
    const out = mapCandidatesToCores(
      state,
      allowed,
      new Map([[1, new Set([0, 1])]]),
      false,
      new Map([[1, [a1]]]),
    );
    expect(out.size).toBe(0);
    const out2 = mapCandidatesToCores(
      state,
      allowed,
      new Map([[2, new Set([0])]]),
      true,
      new Map([[1, [a1]]]),
    );
    expect(out2.size).toBe(0);
  });

  it("reports why: unscheduled, several cores without core indices, extra candidates, missed cores", () => {
    const { state, allowed, spec } = fixture();
    const c1 = makeCandidate(spec(1, head(1)));
    const c2 = makeCandidate(spec(1, head(2), { parentHead: head(1) }));
    const c3 = makeCandidate(spec(1, head(3), { parentHead: head(2) }));
    const [h1, h2, h3] = [c1, c2, c3].map(candidateHash);
    const run = (
      scheduled: Map<number, Set<number>>,
      enabled: boolean,
      list: BackedCandidate[],
    ) => {
      const dropped: DroppedCandidate[] = [];
      mapCandidatesToCores(state, allowed, scheduled, enabled, new Map([[1, list]]), dropped);
      return dropped.map((d) => [d.candidateHash, d.stage, d.reason]);
    };
    const two = [back(c1, [0, 1], 0), back(c2, [2, 3], 1)];
    expect(run(new Map([[2, new Set([0])]]), true, two)).toEqual([
      [h1, "cores", { code: "ParaNotScheduled" }],
      [h2, "cores", { code: "AncestorDropped", ancestor: h1 }],
    ]);
    expect(run(new Map([[1, new Set([0, 1])]]), false, two)).toEqual([
      [h1, "cores", { code: "MultipleCoresWithoutCoreIndex" }],
      [h2, "cores", { code: "AncestorDropped", ancestor: h1 }],
    ]);
    expect(run(new Map([[1, new Set([0])]]), false, two)).toEqual([
      [h2, "cores", { code: "ExceedsScheduledCores" }],
    ]);
    expect(run(new Map([[1, new Set([0])]]), true, two)).toEqual([
      [h2, "cores", { code: "ExceedsScheduledCores" }],
    ]);
    const miss = [back(c1, [0, 1], 0), back(c2, [6, 7], 3), back(c3, [4, 5], 2)];
    expect(run(new Map([[1, new Set([0, 1, 2])]]), true, miss)).toEqual([
      [h2, "cores", { code: "CoreNotScheduled", core: 3 }],
      [h3, "cores", { code: "AncestorDropped", ancestor: h2 }],
    ]);
    expect(run(new Map([[1, new Set([0, 1])]]), true, [back(c1, [0, 1])])).toEqual([
      [h1, "cores", { code: "NoCoreIndex" }],
    ]);
  });

  it("core indices enabled: injected cores must be scheduled; the first miss stops the para", () => {
    const { state, allowed, spec } = fixture();
    const c1 = makeCandidate(spec(1, head(1)));
    const c2 = makeCandidate(spec(1, head(2), { parentHead: head(1) }));
    const c3 = makeCandidate(spec(1, head(3), { parentHead: head(2) }));
    const scheduled = new Map([[1, new Set([0, 1, 2])]]);
    // core 0 -> group 0 [0,1], core 1 -> group 1 [2,3]: sizes match, cores scheduled.
    const ok3 = [back(c1, [0, 1], 0), back(c2, [2, 3], 1), back(c3, [4, 5], 2)];
    expect(
      mapCandidatesToCores(state, allowed, scheduled, true, new Map([[1, ok3]]))
        .get(1)!
        .map(([, c]) => c),
    ).toEqual([0, 1, 2]);
    // Core 3 is not scheduled for para 1: stop there, keep the prefix.
    const miss = [back(c1, [0, 1], 0), back(c2, [6, 7], 3), back(c3, [4, 5], 2)];
    expect(
      mapCandidatesToCores(state, allowed, scheduled, true, new Map([[1, miss]]))
        .get(1)!
        .map(([, c]) => c),
    ).toEqual([0]);
    // The same core twice: the second is no longer a remaining scheduled core.
    const twice = [back(c1, [0, 1], 0), back(c2, [0, 1], 0)];
    expect(
      mapCandidatesToCores(state, allowed, scheduled, true, new Map([[1, twice]])).get(1)!.length,
    ).toBe(1);
    // No injected core index at all: nothing.
    const none = [back(c1, [0, 1])];
    expect(mapCandidatesToCores(state, allowed, scheduled, true, new Map([[1, none]])).size).toBe(
      0,
    );
    // An injected core whose group size does not match the bitfield: not a core index.
    const badSize = [backCandidate(c1, [0, 1, 2], 2, SESSION, 0)];
    expect(
      mapCandidatesToCores(state, allowed, scheduled, true, new Map([[1, badSize]])).size,
    ).toBe(0);
    // More candidates than scheduled cores: the extra ones are dropped.
    const one = new Map([[1, new Set([0])]]);
    expect(
      mapCandidatesToCores(state, allowed, one, true, new Map([[1, ok3]])).get(1)!.length,
    ).toBe(1);
  });

  it("core indices enabled: a V2 descriptor's core index is used", () => {
    const { state, allowed, spec } = fixture();
    const c1 = toV2(makeCandidate(spec(1, head(1))), 2);
    const out = mapCandidatesToCores(
      state,
      allowed,
      new Map([[1, new Set([1, 2])]]),
      true,
      new Map([[1, [back(c1, [4, 5])]]]),
    );
    expect(out.get(1)!.map(([, c]) => c)).toEqual([2]);
  });

  it("scheduled_cores_per_para groups eligible paras", () => {
    expect(
      scheduledCoresPerPara([
        [0, 1],
        [1, 1],
        [2, 2],
      ]),
    ).toEqual(
      new Map([
        [1, new Set([0, 1])],
        [2, new Set([2])],
      ]),
    );
  });
});

describe("sanitize_backed_candidate_v2", () => {
  const accepting: CheckCoreIndex = () => ok(0);
  const rejecting: CheckCoreIndex = () => err({ code: "NoAssignment" });

  it("V1 without UMP signals passes without looking at the claim queue", () => {
    const { state, allowed, spec } = fixture();
    const c = back(makeCandidate(spec(1, head(1))), [0, 1]);
    expect(sanitizeBackedCandidateV2(state, c, allowed, false, rejecting)).toBeNull();
  });

  it("V2 descriptors and UMP signals need the CandidateReceiptV2 feature", () => {
    const { state, allowed, spec } = fixture();
    const v2 = back(toV2(makeCandidate(spec(1, head(1))), 0), [0, 1]);
    expect(sanitizeBackedCandidateV2(state, v2, allowed, false, accepting)).toEqual({
      code: "V2ReceiptsDisabled",
    });
    expect(sanitizeBackedCandidateV2(state, v2, allowed, true, accepting)).toBeNull();
    const signalled = back(
      makeCandidate(
        spec(1, head(1), { upwardMessages: [UMP_SEPARATOR, new Uint8Array([0, 0, 0])] }),
      ),
      [0, 1],
    );
    expect(sanitizeBackedCandidateV2(state, signalled, allowed, false, accepting)).toEqual({
      code: "V2ReceiptsDisabled",
    });
    // Just the separator is not a signal (check_upward_messages rejects it later).
    const sepOnly = back(
      makeCandidate(spec(1, head(1), { upwardMessages: [UMP_SEPARATOR] })),
      [0, 1],
    );
    expect(sanitizeBackedCandidateV2(state, sepOnly, allowed, false, rejecting)).toBeNull();
  });

  it("V2: current session, allowed relay parent, and check_core_index on that relay parent's claim queue", () => {
    const { state, allowed, spec } = fixture();
    const base = makeCandidate(spec(1, head(1)));
    expect(
      sanitizeBackedCandidateV2(
        state,
        back(toV2(base, 0, SESSION + 1), [0, 1]),
        allowed,
        true,
        accepting,
      ),
    ).toEqual({ code: "SessionIndexMismatch", descriptor: SESSION + 1, current: SESSION });
    expect(
      sanitizeBackedCandidateV2(
        state,
        back(toV2(base, 0, SESSION, 1), [0, 1]),
        allowed,
        true,
        accepting,
      ),
    ).toEqual({ code: "UnknownVersion", version: 1 });
    expect(
      sanitizeBackedCandidateV2(state, back(toV2(base, 0), [0, 1]), allowed, true, rejecting),
    ).toEqual({ code: "NoAssignment" });
    const other = makeCandidate(spec(1, head(1), { relayParent: repeatByte(0x55) }));
    expect(
      sanitizeBackedCandidateV2(state, back(toV2(other, 0), [0, 1]), allowed, true, accepting),
    ).toEqual({ code: "DisallowedRelayParent" });
    let seen: TransposedClaimQueue | null = null;
    sanitizeBackedCandidateV2(state, back(toV2(base, 0), [0, 1]), allowed, true, (_r, cq) => {
      seen = cq;
      return ok(0);
    });
    expect(seen).toEqual(
      new Map([
        [1, new Map([[0, new Set([0, 1])]])],
        [2, new Map([[0, new Set([2])]])],
      ]),
    );
  });
});

describe("sanitize_backed_candidates", () => {
  const params = (
    f: Fixture,
    extra: Partial<Parameters<typeof sanitizeBackedCandidates>[2]> = {},
  ) => ({
    allowedRelayParents: f.allowed,
    concludedInvalidWithDescendants: new Set<Hash>(),
    scheduled: new Map([
      [1, new Set([0, 1, 2])],
      [2, new Set([3])],
    ]),
    coreIndexEnabled: true,
    allowV2Receipts: true,
    checkCoreIndex: (() => ok(0)) as CheckCoreIndex,
    ...extra,
  });

  function chain(f: Fixture) {
    const c1 = back(makeCandidate(f.spec(1, head(1))), [0, 1], 0);
    const c2 = back(makeCandidate(f.spec(1, head(2), { parentHead: head(1) })), [2, 3], 1);
    const c3 = back(makeCandidate(f.spec(1, head(3), { parentHead: head(2) })), [4, 5], 2);
    const d = back(makeCandidate(f.spec(2, head(9))), [6, 7], 3);
    return { c1, c2, c3, d };
  }

  it("keeps valid chains with their cores, grouped per para in chain order", () => {
    const f = fixture();
    const { c1, c2, c3, d } = chain(f);
    const out = sanitizeBackedCandidates(f.state, [d, c1, c2, c3], params(f));
    expect([...out.keys()]).toEqual([1, 2]);
    expect(out.get(1)!.map(([, core]) => core)).toEqual([0, 1, 2]);
    expect(out.get(2)!.map(([, core]) => core)).toEqual([3]);
  });

  it("a concluded-invalid candidate drops its descendants", () => {
    const f = fixture();
    const { c1, c2, c3, d } = chain(f);
    const dropped: DroppedCandidate[] = [];
    const out = sanitizeBackedCandidates(
      f.state,
      [c1, c2, c3, d],
      params(f, {
        concludedInvalidWithDescendants: new Set([candidateHash(c2.candidate)]),
        dropped,
      }),
    );
    expect(out.get(1)!.map(([, core]) => core)).toEqual([0]);
    expect(out.get(2)!.length).toBe(1);
    const h2 = candidateHash(c2.candidate);
    expect(dropped).toEqual([
      {
        candidateHash: h2,
        paraId: 1,
        stage: "concludedInvalid",
        reason: { code: "ConcludedInvalid" },
      },
      {
        candidateHash: candidateHash(c3.candidate),
        paraId: 1,
        stage: "concludedInvalid",
        reason: { code: "AncestorDropped", ancestor: h2 },
      },
    ]);
  });

  it("a candidate dropped by the V2 checks takes its descendants with it", () => {
    const f = fixture();
    const { c1, c3 } = chain(f);
    const c2v2 = back(
      toV2(makeCandidate(f.spec(1, head(2), { parentHead: head(1) })), 1, SESSION + 7),
      [2, 3],
    );
    const dropped: DroppedCandidate[] = [];
    const out = sanitizeBackedCandidates(f.state, [c1, c2v2, c3], params(f, { dropped }));
    expect(out.get(1)!.length).toBe(1);
    // The V2 candidate alone in the V2 step; its child no longer chains (the runtime's own reason).
    expect(dropped.map((x) => [x.stage, x.reason])).toEqual([
      ["v2", { code: "SessionIndexMismatch", descriptor: SESSION + 7, current: SESSION }],
      ["unchained", { code: "ValidationDataHashMismatch" }],
    ]);
  });

  it("votes of disabled validators are removed; too few left drops the candidate and its descendants", () => {
    const f = fixture();
    const { c1, c2, c3 } = chain(f);
    f.state.shared.disabledValidators = [2];
    const dropped: DroppedCandidate[] = [];
    const out = sanitizeBackedCandidates(f.state, [c1, c2, c3], params(f, { dropped }));
    expect(out.get(1)!.map(([, core]) => core)).toEqual([0]);
    expect(dropped.map((x) => [x.candidateHash, x.stage, x.reason.code])).toEqual([
      [candidateHash(c2.candidate), "disabledValidators", "InsufficientBackingAfterDisabling"],
      [candidateHash(c3.candidate), "disabledValidators", "AncestorDropped"],
    ]);

    f.state.config = { ...f.state.config, minimumBackingVotes: 1 };
    const out2 = sanitizeBackedCandidates(f.state, [c1, c2, c3], params(f));
    expect(out2.get(1)!.length).toBe(3);
    const [b2] = out2.get(1)![1]!;
    expect(b2.validityVotes.length).toBe(1);
    // The member's bit is cleared and the core byte re-appended.
    expect(b2.validatorIndices).toEqual([
      false,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it("quirk kept: votes are removed at bit positions, so a gap in the bits makes it panic", () => {
    const f = fixture();
    const c = makeCandidate(f.spec(1, head(1)));
    const full = back(c, [0, 1], 0);
    // Only member 1 (validator 1) voted: bits [false, true], one vote.
    const gapped: BackedCandidate = {
      ...full,
      validityVotes: [full.validityVotes[1]!],
      validatorIndices: [false, true, ...full.validatorIndices.slice(2)],
    };
    f.state.shared.disabledValidators = [1];
    expect(() => sanitizeBackedCandidates(f.state, [gapped], params(f))).toThrow(/removal index/);
  });
});
