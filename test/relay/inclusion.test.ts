import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FeatureIndex, nodeFeatures } from "../../src/config/host-configuration.ts";
import { type Hash, type Hex, repeatByte, toHex, ZERO_HASH } from "../../src/lib/hex.ts";
import { candidateHash, commitmentsHash, toPlain } from "../../src/primitives/candidate.ts";
import type { CommittedCandidateReceipt, ParaId } from "../../src/primitives/codecs.ts";
import { hashBytes } from "../../src/primitives/hashing.ts";
import {
  type BackedCandidate,
  validatorIndicesAndCoreIndex,
} from "../../src/primitives/inherent.ts";
import { availabilityThreshold } from "../../src/primitives/thresholds.ts";
import { UMP_SEPARATOR } from "../../src/primitives/ump.ts";
import { queueDownwardMessage } from "../../src/relay/dmp.ts";
import { channelKey, forceOpenHrmpChannel, queueOutboundHrmp } from "../../src/relay/hrmp.ts";
import {
  type CandidatePendingAvailability,
  candidateCheckContext,
  checkBackingVotes,
  enactCandidate,
  forceEnact,
  freeDisputed,
  freeTimedout,
  paraLatestHeadData,
  paraMostRecentContext,
  processCandidates,
  updatePendingAvailabilityAndGetFreedCores,
  verifyBackedCandidate,
} from "../../src/relay/inclusion.ts";
import { registerPara, scheduleCodeUpgrade, validationCodeHash } from "../../src/relay/paras.ts";
import { groupValidators } from "../../src/relay/scheduler.ts";
import { newAllowedRelayParentsTracker, trackerUpdate } from "../../src/relay/shared.ts";
import { newRelayState, type RelayState } from "../../src/relay/state.ts";
import {
  backCandidate,
  type CandidateSpec,
  config,
  DUMMY_CODE,
  EMPTY_HEAD,
  fakeVerify,
  head,
  makeCandidate,
} from "./helpers.ts";

// ---------------------------------------------------------------------------------------------
// Fixtures (after inclusion/tests.rs: default_config, genesis_config, TestCandidateBuilder)
// ---------------------------------------------------------------------------------------------

const SESSION = 5;
const PARENT_HASH: Hash = repeatByte(0xaa);
const RELAY_PARENT_NUM = 4;

function newState(
  nValidators: number,
  paras: readonly ParaId[],
  cfg = config(
    { maxCodeSize: 0b100000, maxHeadDataSize: 0b100000 },
    { numCores: 1, groupRotationFrequency: 4294967295 },
  ),
): RelayState {
  const state = newRelayState(cfg);
  state.shared.activeValidatorKeys = Array.from({ length: nValidators }, (_, i) => repeatByte(i));
  state.shared.currentSessionIndex = SESSION;
  for (const p of paras) registerPara(state.paras, p, EMPTY_HEAD, DUMMY_CODE);
  state.now = RELAY_PARENT_NUM + 1;
  return state;
}

/** `default_allowed_relay_parent_tracker`: the parent block, max ancestry 1. */
function allowedTracker(state: RelayState) {
  const t = newAllowedRelayParentsTracker();
  trackerUpdate(t, PARENT_HASH, ZERO_HASH, new Map(), state.now - 1, 1);
  return t;
}

function pending(
  core: number,
  receipt: CommittedCandidateReceipt,
  nValidators: number,
  extra: Partial<CandidatePendingAvailability> = {},
): CandidatePendingAvailability {
  return {
    core,
    hash: candidateHash(receipt),
    descriptor: receipt.descriptor,
    commitments: receipt.commitments,
    availabilityVotes: new Array<boolean>(nValidators).fill(false),
    backers: new Array<boolean>(nValidators).fill(false),
    relayParentNumber: 0,
    backedInNumber: 0,
    backingGroup: core,
    ...extra,
  };
}

const simple = (para: ParaId, h: Hex, povByte = 1): CommittedCandidateReceipt =>
  makeCandidate({
    para,
    relayParent: ZERO_HASH,
    relayParentNumber: 0,
    parentHead: EMPTY_HEAD,
    head: h,
    povByte,
  });

/** One bitfield per validator from "validator v sees cores [...]". */
function bitfields(nCores: number, seen: Record<number, number[]>) {
  return Object.entries(seen).map(([v, cores]) => ({
    validatorIndex: Number(v),
    payload: Array.from({ length: nCores }, (_, c) => cores.includes(c)),
  }));
}

const ones = (bits: readonly boolean[]) => bits.flatMap((b, i) => (b ? [i] : []));

// ---------------------------------------------------------------------------------------------
// Availability and enactment
// ---------------------------------------------------------------------------------------------

describe("availability", () => {
  it("supermajority_bitfields_trigger_availability", () => {
    const [chainA, chainB, chainC] = [0, 1, 2];
    const n = 7;
    const state = newState(n, [0, 1, 2, 3, 4]);
    const a = simple(chainA, head(1, 2, 3, 4));
    const b = simple(chainB, head(5, 6, 7, 8));
    const c1 = simple(chainC, head(7, 8));
    const c2 = simple(chainC, head(9, 10));
    const c3 = simple(chainC, head(11, 12));
    state.inclusion.pendingAvailability.set(chainA, [pending(0, a, n)]);
    state.inclusion.pendingAvailability.set(chainB, [pending(1, b, n)]);
    // Chain C has three candidates; the first and third become available, only the first is
    // enacted.
    state.inclusion.pendingAvailability.set(chainC, [
      pending(2, c1, n),
      pending(3, c2, n),
      pending(4, c3, n),
    ]);
    expect(availabilityThreshold(n)).toBe(5);

    const allAvailable = [0, 1, 2, 3, 4];
    const freed = updatePendingAvailabilityAndGetFreedCores(
      state,
      n,
      bitfields(5, {
        0: allAvailable,
        1: allAvailable,
        2: allAvailable,
        3: allAvailable,
        4: [0, 2, 4],
      }),
    );
    // Rust returns [(2, c1), (0, a)] (hashed map order); here paras are ascending.
    expect(freed).toEqual([
      [0, candidateHash(a)],
      [2, candidateHash(c1)],
    ]);
    expect(state.inclusion.pendingAvailability.get(chainA)).toEqual([]);
    expect(ones(state.inclusion.pendingAvailability.get(chainB)![0]!.availabilityVotes)).toEqual([
      0, 1, 2, 3,
    ]);
    const pc = state.inclusion.pendingAvailability.get(chainC)!;
    expect(pc.length).toBe(2);
    expect(ones(pc[0]!.availabilityVotes)).toEqual([0, 1, 2, 3]);
    expect(ones(pc[1]!.availabilityVotes)).toEqual([0, 1, 2, 3, 4]);
    expect(state.paras.heads.get(chainA)).toBe(head(1, 2, 3, 4));
    expect(state.paras.heads.get(chainB)).not.toBe(head(5, 6, 7, 8));
    expect(state.paras.heads.get(chainC)).toBe(head(7, 8));

    // A new bitfield makes C2 available; this also enacts C3.
    const freed2 = updatePendingAvailabilityAndGetFreedCores(state, n, bitfields(5, { 5: [3] }));
    expect(freed2).toEqual([
      [3, candidateHash(c2)],
      [4, candidateHash(c3)],
    ]);
    expect(state.inclusion.pendingAvailability.get(chainC)).toEqual([]);
    expect(ones(state.inclusion.pendingAvailability.get(chainB)![0]!.availabilityVotes)).toEqual([
      0, 1, 2, 3,
    ]);
    expect(state.paras.heads.get(chainC)).toBe(head(11, 12));
    expect(state.events.filter((e) => e.kind === "CandidateIncluded").map((e) => e.core)).toEqual([
      0, 2, 3, 4,
    ]);
  });

  it("a core's votes go to the first pending candidate on that core; votes past the validator set are ignored", () => {
    const n = 4;
    const state = newState(n, [1]);
    const x = simple(1, head(1));
    state.inclusion.pendingAvailability.set(1, [pending(0, x, n)]);
    updatePendingAvailabilityAndGetFreedCores(state, n, bitfields(1, { 0: [0], 9: [0] }));
    expect(ones(state.inclusion.pendingAvailability.get(1)![0]!.availabilityVotes)).toEqual([0]);
  });

  it("force_enact enacts the whole chain regardless of votes", () => {
    const n = 3;
    const state = newState(n, [1]);
    const x = simple(1, head(1));
    const y = simple(1, head(2));
    state.inclusion.pendingAvailability.set(1, [
      pending(0, x, n, { relayParentNumber: 3 }),
      pending(1, y, n, { relayParentNumber: 4 }),
    ]);
    forceEnact(state, 1);
    expect(state.inclusion.pendingAvailability.get(1)).toEqual([]);
    expect(state.paras.heads.get(1)).toBe(head(2));
    expect(state.paras.mostRecentContext.get(1)).toBe(4);
    forceEnact(state, 99); // no-op
  });

  it("para_latest_head_data / para_most_recent_context look at the pending chain first", () => {
    const n = 3;
    const state = newState(n, [1]);
    state.paras.mostRecentContext.set(1, 2);
    expect(paraLatestHeadData(state, 1)).toBe(EMPTY_HEAD);
    expect(paraMostRecentContext(state, 1)).toBe(2);
    state.inclusion.pendingAvailability.set(1, [
      pending(0, simple(1, head(9)), n, { relayParentNumber: 4 }),
    ]);
    expect(paraLatestHeadData(state, 1)).toBe(head(9));
    expect(paraMostRecentContext(state, 1)).toBe(4);
    expect(paraLatestHeadData(state, 2)).toBeNull();
    expect(paraMostRecentContext(state, 2)).toBeNull();
  });
});

describe("enact_candidate", () => {
  it("prunes the DMQ, enqueues UMP up to the separator, moves the HRMP watermark, queues HRMP, notes the head", () => {
    const n = 3;
    const state = newState(n, [1, 2]);
    state.now = 10;
    for (const m of [1, 2, 3])
      queueDownwardMessage(
        state.dmp,
        { ...state.config, maxDownwardMessageSize: 10 },
        1,
        new Uint8Array([m]),
        2,
      );
    forceOpenHrmpChannel(state.hrmp, 1, 2, 10, 100, 1000);
    forceOpenHrmpChannel(state.hrmp, 2, 1, 10, 100, 1000);
    queueOutboundHrmp(state.hrmp, 2, [{ recipient: 1, data: new Uint8Array([7]) }], 6);
    queueOutboundHrmp(state.hrmp, 2, [{ recipient: 1, data: new Uint8Array([8]) }], 8);
    const receipt = makeCandidate({
      para: 1,
      relayParent: ZERO_HASH,
      relayParentNumber: 7,
      parentHead: EMPTY_HEAD,
      head: head(4, 2),
      processedDownwardMessages: 2,
      upwardMessages: [
        new Uint8Array([1]),
        new Uint8Array([2]),
        UMP_SEPARATOR,
        new Uint8Array([0, 1, 0]),
      ],
      hrmpWatermark: 6,
      horizontalMessages: [{ recipient: 2, data: new Uint8Array([9, 9]) }],
    });
    enactCandidate(state, 7, receipt, 3, 1);
    expect(state.dmp.downwardMessageQueues.get(1)!.map((m) => m.msg[0])).toEqual([3]);
    expect(state.ump.upwardQueues.get(1)).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
    expect(state.hrmp.hrmpWatermarks.get(1)).toBe(6);
    expect(state.hrmp.hrmpChannelContents.get(channelKey(2, 1))!.map((m) => m.sentAt)).toEqual([8]);
    expect(state.hrmp.hrmpChannels.get(channelKey(2, 1))).toMatchObject({
      msgCount: 1,
      totalSize: 1,
    });
    expect(state.hrmp.hrmpChannelContents.get(channelKey(1, 2))).toEqual([
      { sentAt: 10, data: new Uint8Array([9, 9]) },
    ]);
    expect(state.hrmp.hrmpChannelDigests.get(2)).toEqual([[10, [1]]]);
    expect(state.paras.heads.get(1)).toBe(head(4, 2));
    expect(state.paras.mostRecentContext.get(1)).toBe(7);
    expect(state.events).toEqual([
      { kind: "UpwardMessagesReceived", from: 1, count: 2 },
      {
        kind: "CandidateIncluded",
        candidateHash: candidateHash(receipt),
        paraId: 1,
        receipt: toPlain(receipt),
        headData: head(4, 2),
        core: 3,
        group: 1,
      },
    ]);
    expect(toPlain(receipt).commitmentsHash).toBe(commitmentsHash(receipt.commitments));
  });

  it("schedules a code upgrade (go-ahead signal) that applies to the first head with relay parent >= expected_at", () => {
    const n = 3;
    const cfg = config({
      validationUpgradeDelay: 5,
      minimumValidationUpgradeDelay: 3,
      validationUpgradeCooldown: 20,
    });
    const state = newState(n, [1], cfg);
    state.now = 10;
    const newCode = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const receipt = makeCandidate({
      para: 1,
      relayParent: ZERO_HASH,
      relayParentNumber: 8,
      parentHead: EMPTY_HEAD,
      head: head(1),
      newValidationCode: newCode,
    });
    enactCandidate(state, 8, receipt, 0, 0);
    const p = state.paras;
    expect(p.futureCodeHash.get(1)).toBe(validationCodeHash(newCode));
    expect(p.upgradeRestrictionSignal.get(1)).toBe("Present");
    // The go-ahead comes at the first relay block at or after expected_at, not now.
    expect(p.upgradeGoAheadSignal.has(1)).toBe(false);
    // max(included_at + validation_upgrade_delay, now + minimum_validation_upgrade_delay)
    expect(p.futureCodeUpgrades.get(1)).toBe(15);
    expect(p.upcomingUpgrades).toEqual([[1, 15]]);
    expect(p.upgradeCooldowns).toEqual([[1, 30]]);
    // A head with an older relay parent does not apply it.
    enactCandidate(state, 14, simple(1, head(2)), 0, 0);
    expect(p.currentCodeHash.get(1)).toBe(validationCodeHash(DUMMY_CODE));
    enactCandidate(state, 15, simple(1, head(3)), 0, 0);
    expect(p.currentCodeHash.get(1)).toBe(validationCodeHash(newCode));
    expect(p.futureCodeHash.has(1)).toBe(false);
    expect(p.upgradeGoAheadSignal.has(1)).toBe(false);
    // The restriction stays until the cooldown passes.
    expect(p.upgradeRestrictionSignal.get(1)).toBe("Present");
  });
});

// ---------------------------------------------------------------------------------------------
// Freeing failed candidates
// ---------------------------------------------------------------------------------------------

/** The six chains of free_timedout / free_disputed: cores 0 | 1 | 2,3 | 4,5 | 6,7,8 | 9,10,11. */
function sixChains(
  state: RelayState,
  mark: (core: number) => Partial<CandidatePendingAvailability>,
) {
  const n = state.shared.activeValidatorKeys.length;
  const mk = (core: number) => pending(core, simple(100, head(core), core + 1), n, mark(core));
  state.inclusion.pendingAvailability.set(1, [mk(0)]);
  state.inclusion.pendingAvailability.set(2, [mk(1)]);
  state.inclusion.pendingAvailability.set(3, [mk(2), mk(3)]);
  state.inclusion.pendingAvailability.set(4, [mk(4), mk(5)]);
  state.inclusion.pendingAvailability.set(5, [mk(6), mk(7), mk(8)]);
  state.inclusion.pendingAvailability.set(6, [mk(9), mk(10), mk(11)]);
}

const cores = (state: RelayState, para: ParaId) =>
  state.inclusion.pendingAvailability.get(para)!.map((c) => c.core);

describe("free_failed_cores", () => {
  it("free_timedout", () => {
    const state = newState(5, [1, 2, 3, 4, 5, 6, 7], config({}, { groupRotationFrequency: 3 }));
    expect(freeTimedout(state)).toEqual([]);
    const timedOut = new Set([0, 2, 4, 5, 7]);
    // Candidates backed in block 0 are timed out at block 5, those backed in 5 are not.
    sixChains(state, (c) => ({ backedInNumber: timedOut.has(c) ? 0 : 5 }));
    state.now = 5;
    const freed = freeTimedout(state);
    expect(freed).toEqual([0, 2, 3, 4, 5, 7, 8]);
    expect(cores(state, 1)).toEqual([]);
    expect(cores(state, 2)).toEqual([1]);
    expect(cores(state, 3)).toEqual([]);
    expect(cores(state, 4)).toEqual([]);
    // The second one timed out; the first stays.
    expect(cores(state, 5)).toEqual([6]);
    expect(cores(state, 6)).toEqual([9, 10, 11]);
    expect(state.events.filter((e) => e.kind === "CandidateTimedOut").map((e) => e.core)).toEqual([
      0, 2, 3, 4, 5, 7, 8,
    ]);
  });

  it("free_disputed", () => {
    const state = newState(5, [1, 2, 3, 4, 5, 6, 7]);
    expect(freeDisputed(state, new Set())).toEqual([]);
    sixChains(state, (c) => ({ hash: repeatByte(c) }));
    expect(freeDisputed(state, new Set([repeatByte(0xff)]))).toEqual([]);
    const disputed = new Set([0, 2, 4, 5, 7].map((c) => repeatByte(c)));
    expect(freeDisputed(state, disputed).map(([core]) => core)).toEqual([0, 2, 3, 4, 5, 7, 8]);
    expect(cores(state, 1)).toEqual([]);
    expect(cores(state, 2)).toEqual([1]);
    expect(cores(state, 5)).toEqual([6]);
    expect(cores(state, 6)).toEqual([9, 10, 11]);
    // Disputes deposit no CandidateTimedOut.
    expect(state.events).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Candidate checks and backing
// ---------------------------------------------------------------------------------------------

describe("candidate checks (inclusion/tests.rs::candidate_checks)", () => {
  const [chainA, chainB, threadA] = [1, 2, 3];
  const groups = [[0, 1], [2, 3], [4], [5]];

  function setup() {
    const state = newState(6, [chainA, chainB, threadA]);
    state.scheduler.validatorGroups = groups.map((g) => [...g]);
    const allowed = allowedTracker(state);
    const gv = (g: number) => groupValidators(state.scheduler, g);
    const spec = (para: ParaId, h: Hex, extra: Partial<CandidateSpec> = {}): CandidateSpec => ({
      para,
      relayParent: PARENT_HASH,
      relayParentNumber: RELAY_PARENT_NUM,
      parentHead: EMPTY_HEAD,
      head: h,
      hrmpWatermark: RELAY_PARENT_NUM,
      ...extra,
    });
    const back = (c: CommittedCandidateReceipt, group: number, signing?: number) =>
      backCandidate(c, groups[group]!, signing ?? Math.min(groups[group]!.length, 2), SESSION);
    const process = (entries: [ParaId, [BackedCandidate, number][]][], coreIndexEnabled = false) =>
      processCandidates(state, allowed, new Map(entries), gv, coreIndexEnabled, fakeVerify);
    return { state, allowed, spec, back, process };
  }

  it("no candidates", () => {
    const { process } = setup();
    expect(process([])).toEqual({ ok: true, value: [] });
  });

  it("candidates must be in dependency order, not in core order", () => {
    const { state, spec, back, process } = setup();
    const a = makeCandidate(spec(chainA, EMPTY_HEAD, { povByte: 1 }));
    const b1 = makeCandidate(spec(chainB, head(1, 2, 3), { povByte: 2 }));
    // b2 is a child of b1.
    const b2 = makeCandidate(
      spec(chainB, head(5, 6, 7), { povByte: 3, parentHead: head(1, 2, 3) }),
    );
    const backedA = back(a, 0);
    const backedB1 = back(b1, 2);
    const backedB2 = back(b2, 1);
    expect(
      process([
        [
          chainB,
          [
            [backedB2, 1],
            [backedB1, 2],
          ],
        ],
      ]),
    ).toEqual({
      ok: false,
      error: { code: "ValidationDataHashMismatch" },
    });
    expect(state.inclusion.pendingAvailability.size).toBe(0);
    expect(state.events).toEqual([]);

    const r = process([
      [
        chainB,
        [
          [backedB1, 2],
          [backedB2, 1],
        ],
      ],
      [chainA, [[backedA, 0]]],
    ]);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value.map(([receipt]) => receipt.descriptor.paraId)).toEqual([
      chainA,
      chainB,
      chainB,
    ]);
    expect(r.ok && r.value[0]![1]).toEqual([
      [0, backedA.validityVotes[0]],
      [1, backedA.validityVotes[1]],
    ]);
    const pb = state.inclusion.pendingAvailability.get(chainB)!;
    expect(pb.map((c) => [c.core, c.backingGroup, c.relayParentNumber, c.backedInNumber])).toEqual([
      [2, 2, 4, 5],
      [1, 1, 4, 5],
    ]);
    expect(ones(pb[0]!.backers)).toEqual([4]);
    expect(ones(pb[1]!.backers)).toEqual([2, 3]);
    expect(pb[0]!.availabilityVotes).toEqual(new Array(6).fill(false));
    expect(state.events.map((e) => e.kind)).toEqual([
      "CandidateBacked",
      "CandidateBacked",
      "CandidateBacked",
    ]);

    // A candidate that does not build on the latest unincluded head.
    const b3 = makeCandidate(spec(chainB, head(8, 9), { povByte: 4, parentHead: head(1, 2, 3) }));
    expect(process([[chainB, [[back(b3, 3), 3]]]])).toEqual({
      ok: false,
      error: { code: "ValidationDataHashMismatch" },
    });
  });

  it("candidate not backed: InsufficientBacking, then InvalidBacking for the wrong group", () => {
    const { spec, back, process } = setup();
    const c = makeCandidate(spec(chainA, EMPTY_HEAD));
    expect(process([[chainA, [[back(c, 0, 1), 0]]]])).toEqual({
      ok: false,
      error: { code: "InsufficientBacking" },
    });
    // Signed by group 1 but checked against group 0.
    const wrong = backCandidate(c, groups[0]!, 2, SESSION, null, groups[1]!);
    expect(process([[chainA, [[wrong, 0]]]])).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
  });

  it("one of the candidates is not based on an allowed relay parent: the whole call fails", () => {
    const { state, spec, back, process } = setup();
    const a = makeCandidate(spec(chainA, EMPTY_HEAD, { relayParent: repeatByte(222) }));
    const b = makeCandidate(spec(chainB, EMPTY_HEAD));
    expect(
      process([
        [chainB, [[back(b, 1), 1]]],
        [chainA, [[back(a, 0), 0]]],
      ]),
    ).toEqual({ ok: false, error: { code: "DisallowedRelayParent" } });
    expect(state.inclusion.pendingAvailability.size).toBe(0);
  });

  it("interfering code upgrade: PrematureCodeUpgrade", () => {
    const { state, spec, back, process } = setup();
    const c = makeCandidate(
      spec(chainA, EMPTY_HEAD, { newValidationCode: DUMMY_CODE.slice(0, 9).reverse() }),
    );
    scheduleCodeUpgrade(
      state.paras,
      chainA,
      new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1]),
      12,
      state.config,
    );
    expect(process([[chainA, [[back(c, 0), 0]]]])).toEqual({
      ok: false,
      error: { code: "PrematureCodeUpgrade" },
    });
  });

  it("bad validation data hash, code hash and para head", () => {
    const { spec, back, process } = setup();
    const badPvd = makeCandidate(spec(chainA, EMPTY_HEAD, { pvdHashOverride: repeatByte(42) }));
    expect(process([[chainA, [[back(badPvd, 0), 0]]]])).toEqual({
      ok: false,
      error: { code: "ValidationDataHashMismatch" },
    });
    const badCode = makeCandidate(spec(chainA, EMPTY_HEAD, { code: new Uint8Array([9, 9, 9]) }));
    expect(process([[chainA, [[back(badCode, 0), 0]]]])).toEqual({
      ok: false,
      error: { code: "InvalidValidationCodeHash" },
    });
    const badHead = makeCandidate(spec(chainA, EMPTY_HEAD, { paraHeadOverride: repeatByte(1) }));
    expect(process([[chainA, [[back(badHead, 0), 0]]]])).toEqual({
      ok: false,
      error: { code: "ParaHeadMismatch" },
    });
  });

  it("InvalidAssignment for a core without a group", () => {
    const { spec, back, process } = setup();
    const c = makeCandidate(spec(chainA, EMPTY_HEAD));
    expect(process([[chainA, [[back(c, 0), 7]]]])).toEqual({
      ok: false,
      error: { code: "InvalidAssignment" },
    });
  });

  it("InvalidGroupIndex when the group has no validators", () => {
    const { state, spec, back } = setup();
    const c = makeCandidate(spec(chainA, EMPTY_HEAD));
    const r = processCandidates(
      state,
      allowedTracker(state),
      new Map([[chainA, [[back(c, 0), 0] as const]]]),
      () => null,
      false,
      fakeVerify,
    );
    expect(r).toEqual({ ok: false, error: { code: "InvalidGroupIndex" } });
  });
});

describe("verify_backed_candidate: the order of the checks", () => {
  const para = 1;
  function setup() {
    const state = newState(3, [para]);
    state.config = {
      ...state.config,
      maxHeadDataSize: 2,
      maxUpwardMessageNumPerCandidate: 1,
      maxUpwardQueueCount: 10,
      maxUpwardQueueSize: 100,
      maxUpwardMessageSize: 10,
      hrmpMaxMessageNumPerCandidate: 1,
    };
    const allowed = allowedTracker(state);
    const base: CandidateSpec = {
      para,
      relayParent: PARENT_HASH,
      relayParentNumber: RELAY_PARENT_NUM,
      parentHead: EMPTY_HEAD,
      head: head(1),
    };
    const verify = (
      s: Partial<CandidateSpec>,
      prev: number | null = null,
      parentHead: Hex = EMPTY_HEAD,
    ) =>
      verifyBackedCandidate(
        state,
        candidateCheckContext(state, prev),
        allowed,
        makeCandidate({ ...base, ...s }),
        parentHead,
      );
    return { state, verify };
  }

  it("accepts a valid candidate and returns its relay-parent number", () => {
    expect(setup().verify({})).toEqual({ ok: true, value: RELAY_PARENT_NUM });
  });

  it("DisallowedRelayParent comes first; a previous context after the relay parent also disallows it", () => {
    const { verify } = setup();
    expect(
      verify({
        relayParent: repeatByte(9),
        pvdHashOverride: repeatByte(1),
        code: new Uint8Array([1]),
      }),
    ).toEqual({ ok: false, error: { code: "DisallowedRelayParent" } });
    expect(verify({}, RELAY_PARENT_NUM + 1)).toEqual({
      ok: false,
      error: { code: "DisallowedRelayParent" },
    });
    expect(verify({}, RELAY_PARENT_NUM)).toEqual({ ok: true, value: RELAY_PARENT_NUM });
  });

  it("then ValidationDataHashMismatch (the PVD is built on the given parent head)", () => {
    const { verify } = setup();
    expect(verify({ pvdHashOverride: repeatByte(1), code: new Uint8Array([1]) })).toEqual({
      ok: false,
      error: { code: "ValidationDataHashMismatch" },
    });
    expect(verify({}, null, head(5))).toEqual({
      ok: false,
      error: { code: "ValidationDataHashMismatch" },
    });
  });

  it("then UnscheduledCandidate (no current code), InvalidValidationCodeHash, ParaHeadMismatch", () => {
    const { state, verify } = setup();
    expect(verify({ code: new Uint8Array([1]), paraHeadOverride: repeatByte(3) })).toEqual({
      ok: false,
      error: { code: "InvalidValidationCodeHash" },
    });
    expect(verify({ paraHeadOverride: repeatByte(3), head: head(1, 2, 3) })).toEqual({
      ok: false,
      error: { code: "ParaHeadMismatch" },
    });
    state.paras.currentCodeHash.delete(para);
    expect(verify({ code: new Uint8Array([1]) })).toEqual({
      ok: false,
      error: { code: "UnscheduledCandidate" },
    });
  });

  it("then the outputs: HeadDataTooLarge, PrematureCodeUpgrade, NewCodeTooLarge", () => {
    const { state, verify } = setup();
    const big = new Uint8Array(0b100001);
    expect(
      verify({ head: head(1, 2, 3), newValidationCode: big, processedDownwardMessages: 5 }),
    ).toEqual({ ok: false, error: { code: "HeadDataTooLarge" } });
    expect(verify({ newValidationCode: big, processedDownwardMessages: 5 })).toEqual({
      ok: false,
      error: { code: "NewCodeTooLarge" },
    });
    state.paras.upgradeRestrictionSignal.set(para, "Present");
    expect(verify({ newValidationCode: big, processedDownwardMessages: 5 })).toEqual({
      ok: false,
      error: { code: "PrematureCodeUpgrade" },
    });
  });

  it("IncorrectDownwardMessageHandling with the DMP cause", () => {
    const { state, verify } = setup();
    expect(verify({ processedDownwardMessages: 1, upwardMessages: [UMP_SEPARATOR] })).toEqual({
      ok: false,
      error: {
        code: "IncorrectDownwardMessageHandling",
        inner: { code: "Underflow", processedDownwardMessages: 1, dmqLength: 0 },
      },
    });
    queueDownwardMessage(
      state.dmp,
      { ...state.config, maxDownwardMessageSize: 10 },
      para,
      new Uint8Array([1]),
      RELAY_PARENT_NUM,
    );
    expect(verify({ processedDownwardMessages: 0 })).toEqual({
      ok: false,
      error: { code: "IncorrectDownwardMessageHandling", inner: { code: "AdvancementRule" } },
    });
    // A message sent after the relay parent need not be processed yet.
    state.dmp.downwardMessageQueues.set(para, [
      { sentAt: RELAY_PARENT_NUM + 1, msg: new Uint8Array([1]) },
    ]);
    expect(verify({ processedDownwardMessages: 0 }).ok).toBe(true);
  });

  it("InvalidUpwardMessages with the UMP cause", () => {
    const { verify } = setup();
    const m = (...b: number[]) => new Uint8Array(b);
    expect(verify({ upwardMessages: [UMP_SEPARATOR], hrmpWatermark: 99 })).toEqual({
      ok: false,
      error: { code: "InvalidUpwardMessages", inner: { code: "NoUmpSignal" } },
    });
    expect(verify({ upwardMessages: [UMP_SEPARATOR, m(0, 1, 0), m(1)] })).toMatchObject({
      ok: false,
      error: { code: "InvalidUpwardMessages", inner: { code: "TooManyUMPSignals", count: 3 } },
    });
    expect(verify({ upwardMessages: [m(1), m(2), UMP_SEPARATOR, m(0, 1, 0)] })).toMatchObject({
      ok: false,
      error: {
        code: "InvalidUpwardMessages",
        inner: { code: "MoreMessagesThanPermitted", sent: 2, permitted: 1 },
      },
    });
    expect(verify({ upwardMessages: [new Uint8Array(11)] })).toMatchObject({
      ok: false,
      error: {
        code: "InvalidUpwardMessages",
        inner: { code: "MessageSize", idx: 0, msgSize: 11, maxSize: 10 },
      },
    });
    // Signals are invisible to the limits.
    expect(verify({ upwardMessages: [m(1), UMP_SEPARATOR, m(0, 1, 0)] }).ok).toBe(true);
  });

  it("HrmpWatermarkMishandling and InvalidOutboundHrmp with their causes", () => {
    const { state, verify } = setup();
    expect(
      verify({
        hrmpWatermark: RELAY_PARENT_NUM + 1,
        horizontalMessages: [{ recipient: 9, data: new Uint8Array(1) }],
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: "HrmpWatermarkMishandling",
        inner: { code: "AheadRelayParent", newWatermark: 5, relayChainParentNumber: 4 },
      },
    });
    expect(verify({ hrmpWatermark: 2 })).toMatchObject({
      ok: false,
      error: {
        code: "HrmpWatermarkMishandling",
        inner: { code: "LandsOnBlockWithNoMessages", newWatermark: 2 },
      },
    });
    state.hrmp.hrmpWatermarks.set(para, 3);
    expect(verify({ hrmpWatermark: 2 })).toMatchObject({
      ok: false,
      error: {
        code: "HrmpWatermarkMishandling",
        inner: { code: "AdvancementRule", newWatermark: 2, lastWatermark: 3 },
      },
    });
    expect(verify({ hrmpWatermark: 3 }).ok).toBe(true);
    expect(
      verify({ horizontalMessages: [{ recipient: 9, data: new Uint8Array(1) }] }),
    ).toMatchObject({
      ok: false,
      error: {
        code: "InvalidOutboundHrmp",
        inner: { code: "NoSuchChannel", idx: 0, channelId: { sender: 1, recipient: 9 } },
      },
    });
  });
});

describe("check_backing_votes", () => {
  const group = [0, 1, 2];
  function setup() {
    const state = newState(4, [1]);
    const c = makeCandidate({
      para: 1,
      relayParent: PARENT_HASH,
      relayParentNumber: 4,
      parentHead: EMPTY_HEAD,
      head: head(1),
    });
    return { state, c };
  }

  it("strips the injected core index when core indices are enabled", () => {
    const { state, c } = setup();
    const backed = backCandidate(c, group, 2, SESSION, 5);
    expect(validatorIndicesAndCoreIndex(backed, true)).toEqual({
      validatorIndices: [true, true, false],
      coreIndex: 5,
    });
    expect(validatorIndicesAndCoreIndex(backed, false).coreIndex).toBeNull();
    const r = checkBackingVotes(state, backed, group, true, fakeVerify);
    expect(r.ok && ones(r.value.backers)).toEqual([0, 1]);
    // Not stripped: the bitfield is longer than the group.
    expect(checkBackingVotes(state, backed, group, false, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
  });

  it("a bitfield of 8 bits or fewer carries no core index", () => {
    const { c } = setup();
    const backed = backCandidate(c, [0, 1, 2, 3, 4, 5, 6, 7], 2, SESSION);
    expect(validatorIndicesAndCoreIndex(backed, true).coreIndex).toBeNull();
  });

  it("rejects more votes than the group, fewer set bits than votes, unknown validators and bad signatures", () => {
    const { state, c } = setup();
    const good = backCandidate(c, group, 2, SESSION);
    expect(checkBackingVotes(state, good, group, false, fakeVerify).ok).toBe(true);
    const tooManyVotes: BackedCandidate = {
      ...good,
      validityVotes: [...good.validityVotes, ...good.validityVotes],
    };
    expect(checkBackingVotes(state, tooManyVotes, group, false, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
    const fewerBits: BackedCandidate = { ...good, validatorIndices: [true, false, false] };
    expect(checkBackingVotes(state, fewerBits, group, false, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
    const unknown = backCandidate(c, [0, 9], 2, SESSION);
    expect(checkBackingVotes(state, unknown, [0, 9], false, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
    const otherSession = backCandidate(c, group, 2, SESSION + 1);
    expect(checkBackingVotes(state, otherSession, group, false, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
    // Quirk kept from check_candidate_backing: extra set bits beyond the votes are not an error.
    const extraBits: BackedCandidate = { ...good, validatorIndices: [true, true, true] };
    expect(checkBackingVotes(state, extraBits, group, false, fakeVerify).ok).toBe(true);
  });

  it("requires min(group size, minimum_backing_votes) votes", () => {
    const { state, c } = setup();
    expect(
      checkBackingVotes(state, backCandidate(c, group, 1, SESSION), group, false, fakeVerify),
    ).toEqual({ ok: false, error: { code: "InsufficientBacking" } });
    expect(
      checkBackingVotes(state, backCandidate(c, [3], 1, SESSION), [3], false, fakeVerify).ok,
    ).toBe(true);
  });

  it("with the ElasticScalingMVP feature a core-index byte does not hide a bad signature", () => {
    const { state, c } = setup();
    expect(nodeFeatures(FeatureIndex.ElasticScalingMVP)[1]).toBe(true);
    const backed = backCandidate(c, group, 2, SESSION, 3);
    const tampered: BackedCandidate = {
      ...backed,
      validityVotes: [backed.validityVotes[1]!, backed.validityVotes[0]!],
    };
    expect(checkBackingVotes(state, tampered, group, true, fakeVerify)).toEqual({
      ok: false,
      error: { code: "InvalidBacking" },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe("properties", () => {
  const chainsArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

  function build(lengths: number[], n: number) {
    const state = newState(n, []);
    let core = 0;
    const names = new Map<Hash, string>();
    lengths.forEach((len, para) => {
      const chain: CandidatePendingAvailability[] = [];
      for (let i = 0; i < len; i++) {
        const c = pending(core, simple(para, toHex(new Uint8Array([para, i]))), n, {
          hash: hashBytes(new Uint8Array([para, i])),
        });
        names.set(c.hash, `${para}.${i}`);
        chain.push(c);
        core++;
      }
      state.inclusion.pendingAvailability.set(para, chain);
    });
    return { state, nCores: core, names };
  }

  it("enactment only ever enacts a chain-order prefix, and leaves no available head behind", () => {
    fc.assert(
      fc.property(
        chainsArb,
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.array(fc.tuple(fc.nat(6), fc.nat(12)), { maxLength: 20 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (lengths, n, rounds) => {
          const { state, nCores } = build(lengths, n);
          const threshold = availabilityThreshold(n);
          for (const round of rounds) {
            const before = new Map(
              [...state.inclusion.pendingAvailability].map(([p, c]) => [p, c.map((x) => x.hash)]),
            );
            const objects = new Map(
              [...state.inclusion.pendingAvailability.values()].flat().map((c) => [c.hash, c]),
            );
            const seen: Record<number, number[]> = {};
            for (const [v, core] of round) {
              if (v >= n || core >= nCores) continue;
              seen[v] = [...(seen[v] ?? []), core];
            }
            const freed = updatePendingAvailabilityAndGetFreedCores(
              state,
              n,
              bitfields(nCores, seen),
            );
            for (const [para, hashes] of before) {
              const after = state.inclusion.pendingAvailability.get(para)!.map((x) => x.hash);
              const enacted = freed.map(([, h]) => h).filter((h) => hashes.includes(h));
              // enacted ++ after == before: a prefix left, the rest kept in order.
              expect([...enacted, ...after]).toEqual(hashes);
              // Every enacted candidate was available (votes are OR-ed in place before enacting).
              for (const h of enacted)
                expect(ones(objects.get(h)!.availabilityVotes).length).toBeGreaterThanOrEqual(
                  threshold,
                );
              // Maximal: the new head of the chain is not available.
              const first = state.inclusion.pendingAvailability.get(para)![0];
              if (first !== undefined)
                expect(ones(first.availabilityVotes).length).toBeLessThan(threshold);
            }
          }
        },
      ),
    );
  });

  it("a timeout frees the candidate together with all its descendants, and nothing else", () => {
    fc.assert(
      fc.property(chainsArb, fc.nat(100), (lengths, pick) => {
        const { state } = build(lengths, 4);
        const all = [...state.inclusion.pendingAvailability].flatMap(([para, chain]) =>
          chain.map((c, i) => ({ para, i, hash: c.hash })),
        );
        const target = all[pick % all.length]!;
        const before = new Map(
          [...state.inclusion.pendingAvailability].map(([p, c]) => [p, c.map((x) => x.hash)]),
        );
        const freedCores = freeTimedout(state, (c) => c.hash === target.hash);
        for (const [para, hashes] of before) {
          const after = state.inclusion.pendingAvailability.get(para)!.map((x) => x.hash);
          expect(after).toEqual(para === target.para ? hashes.slice(0, target.i) : hashes);
        }
        expect(freedCores.length).toBe(before.get(target.para)!.length - target.i);
      }),
    );
  });
});
