/**
 * The relay runtime across a session change (`relay/session-change.ts`, polkadot-sdk's
 * `initializer::apply_new_session`): the block that carries it runs in the old session, its
 * post-state is in the new one; pending candidates are dropped, the claim queue kept, the allowed
 * relay parents cleared, the groups reshuffled and the group rotation restarted.
 */
import { describe, expect, it } from "vitest";
import { candidateHash } from "../../src/primitives/candidate.ts";
import type { CommittedCandidateReceipt } from "../../src/primitives/codecs.ts";
import { groupForCore } from "../../src/primitives/group-rotation.ts";
import { newBackedCandidate } from "../../src/primitives/inherent.ts";
import { signBitfield, signStatement } from "../../src/primitives/statements.ts";
import { claimQueueParas, computeValidatorGroups } from "../../src/relay/scheduler.ts";
import { applyNewSession, isPermutation, renameGroups } from "../../src/relay/session-change.ts";
import type { RelayEvent } from "../../src/relay/state.ts";
import { back, buildCandidate, scenarioConfig, TestChain } from "./chain.ts";

const P = 2000;
/** The new session's shuffle: Rust's position j holds the validator of genesis index SHUFFLE[j]. */
const SHUFFLE = [4, 0, 5, 1, 3, 2];

const kinds = (events: readonly RelayEvent[]) =>
  events.map((e) => (e.kind === "UpwardMessagesReceived" ? e.kind : [e.kind, e.candidateHash]));

/** One para on core 0; 6 validators in 2 groups of 3; rotation every 10 blocks. */
function chain() {
  const config = scenarioConfig({
    numCores: 1,
    maxValidatorsPerCore: 3,
    lookahead: 3,
    groupRotationFrequency: 10,
  });
  return new TestChain(config, 6, [{ id: P, cores: [0] }]);
}

/** Block 1 backs A on core 0 (relay parent 0); returns A's hash. */
function backA(c: TestChain): string {
  const a = buildCandidate(P, { n: 1, core: 0 }, c);
  c.build({ backedCandidates: [back(a.receipt, 0, c)] });
  return candidateHash(a.receipt);
}

describe("renameGroups / isPermutation", () => {
  it.each([
    // [n validators, shuffle, Rust's contiguous groups, the same validators by genesis index]
    [
      6,
      [4, 0, 5, 1, 3, 2],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
      [
        [4, 0, 5],
        [1, 3, 2],
      ],
    ],
    [
      5,
      [0, 1, 2, 3, 4],
      [
        [0, 1, 2],
        [3, 4],
      ],
      [
        [0, 1, 2],
        [3, 4],
      ],
    ],
    [
      5,
      [3, 1, 4, 0, 2],
      [
        [0, 1, 2],
        [3, 4],
      ],
      [
        [3, 1, 4],
        [0, 2],
      ],
    ],
  ])("%i validators, shuffle %j: %j -> %j", (n, shuffle, contiguous, renamed) => {
    expect(isPermutation(shuffle, n)).toBe(true);
    expect(renameGroups(contiguous, shuffle)).toEqual(renamed);
  });

  it.each([
    [[0, 1, 1], 3],
    [[0, 1], 3],
    [[0, 1, 3], 3],
    [[0, 1, -1], 3],
  ])("%j is not a permutation of 0..%i", (shuffle, n) => {
    expect(isPermutation(shuffle, n)).toBe(false);
  });
});

describe("a session change at the end of block 2", () => {
  it("the block runs in the old session; its post-state is the new one", () => {
    const c = chain();
    backA(c);
    const pre = c.tip.state;
    expect(pre.scheduler.validatorGroups).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    // Bitfields signed in session 0 count in block 2 (it still runs in session 0).
    const r2 = c.build(
      { bitfields: c.bitfields([0, 1, 2], [0]) },
      { sessionIndex: 1, shuffle: SHUFFLE },
    );
    expect(r2.accepted.bitfields.length).toBe(3);
    expect(r2.dropped.bitfields).toEqual([]);
    const api = c.tip.api;
    expect(api.sessionIndexForChild()).toBe(1);
    expect(api.validatorGroups().groups).toEqual([
      [4, 0, 5],
      [1, 3, 2],
    ]);
    expect(api.validatorGroups().rotationInfo.sessionStartBlock).toBe(3);
    // The same validators, by key, in genesis order: a validator's index does not change.
    expect(api.validators()).toEqual(pre.shared.activeValidatorKeys);
    expect(c.tip.state.shared.allowedRelayParents.buffer).toEqual([]);
  });

  it("drops the pending candidate without an event, frees its core, keeps the claim queue", () => {
    const withChange = chain();
    const without = chain();
    const aHash = backA(withChange);
    backA(without);
    const r = withChange.build({}, { sessionIndex: 1, shuffle: SHUFFLE });
    const r0 = without.build({});
    // The block's own execution is the same: same events, same inherent accepted.
    expect(kinds(r.events)).toEqual(kinds(r0.events));
    expect(r.accepted).toEqual(r0.accepted);
    // Only the session change differs: A is gone, with no CandidateTimedOut.
    expect(
      without.tip.api.paraBackingState(P)!.pendingAvailability.map((p) => p.candidateHash),
    ).toEqual([aHash]);
    expect(withChange.tip.api.paraBackingState(P)!.pendingAvailability).toEqual([]);
    expect(without.tip.api.availabilityCores()[0]).toMatchObject({ kind: "Occupied" });
    expect(withChange.tip.api.availabilityCores()[0]).toEqual({ kind: "Scheduled", paraId: P });
    // The claim queue survives the session change (resized to the same core count, topped up).
    expect(claimQueueParas(withChange.tip.state.scheduler)).toEqual(
      claimQueueParas(without.tip.state.scheduler),
    );
    // The para builds on its included head again (A's head was never included).
    expect(withChange.tip.api.paraBackingState(P)!.constraints.requiredParent).toBe(
      withChange.at(0).api.paraBackingState(P)!.constraints.requiredParent,
    );
  });

  it("in the next block: old relay parents and old-session signatures are refused", () => {
    const c = chain();
    backA(c);
    const old = buildCandidate(P, { n: 2, core: 0, relayParent: c.at(1) }, c);
    const oldBacked = back(old.receipt, 0, c);
    c.build({}, { sessionIndex: 1, shuffle: SHUFFLE });
    // Validator 0's bitfield over block 2, signed in session 0 instead of 1.
    const staleBitfields = c.bitfields([0], [0]).map((b) => ({
      ...b,
      signature: signBitfieldIn(c, 0, b.validatorIndex, b.payload),
    }));
    const r3 = c.build({ bitfields: staleBitfields, backedCandidates: [oldBacked] });
    expect(r3.dropped.bitfields).toEqual([
      { validatorIndex: 0, reason: { code: "InvalidSignature" } },
    ]);
    // Relay parent 1 is in session 0: its descriptor's session is not the current one.
    expect(r3.dropped.candidates.map((d) => d.reason.code)).toEqual(["SessionIndexMismatch"]);
    expect(r3.events).toEqual([]);
  });

  it("in the next block: a candidate of the new session is backed by the new group", () => {
    const c = chain();
    backA(c);
    c.build({}, { sessionIndex: 1, shuffle: SHUFFLE });
    const b = buildCandidate(P, { n: 2, core: 0 }, c); // relay parent 2, session 1
    const bHash = candidateHash(b.receipt);

    // Backed by the old group 0 ([0, 1, 2]) at the positions of the new group 0 ([4, 0, 5]):
    // the signatures are not the new group's, and the runtime's backing check drops it.
    const byOldGroup = backBy(c, b.receipt, [0, 1, 2]);
    const refused = c.build({ backedCandidates: [byOldGroup] }).dropped.candidates;
    expect(refused.map((d) => [d.candidateHash, d.reason.code])).toEqual([
      [bHash, "InvalidBacking"],
    ]);
    c.blocks.pop(); // try again on block 2

    const r3 = c.build({ backedCandidates: [back(b.receipt, 0, c)] });
    expect(kinds(r3.events)).toEqual([["CandidateBacked", bHash]]);
    expect(r3.events[0]).toMatchObject({ core: 0, group: 0 });
    expect(r3.accepted.backedCandidates[0]!.validatorIndices.slice(0, 3)).toEqual([
      true,
      true,
      true,
    ]);
    // Bitfields of the new session make it available: 5 of 6 in block 4.
    const r4 = c.build({ bitfields: c.bitfields([0, 1, 2, 3, 4], [0]) });
    expect(kinds(r4.events)).toEqual([["CandidateIncluded", bHash]]);
  });

  it("group rotation restarts at the session's first block", () => {
    const c = chain();
    c.build();
    c.build({}, { sessionIndex: 1, shuffle: SHUFFLE });
    const info = c.tip.api.validatorGroups().rotationInfo;
    // Session start 3, rotation every 10: core 0 is served by group 0 until block 12, group 1 from 13.
    expect(groupForCore({ ...info, now: 12 }, 0, 2)).toBe(0);
    expect(groupForCore({ ...info, now: 13 }, 0, 2)).toBe(1);
    // Without the change (session start 1), group 1 takes over at block 11.
    const g = chain().tip.api.validatorGroups().rotationInfo;
    expect(groupForCore({ ...g, now: 11 }, 0, 2)).toBe(1);
  });

  it("is deterministic and the groups are Rust's contiguous split of the shuffle", () => {
    const c = chain();
    const state = structuredClone(c.tip.state);
    state.now = 7;
    applyNewSession(state, { sessionIndex: 4, shuffle: SHUFFLE });
    const again = structuredClone(c.tip.state);
    again.now = 7;
    applyNewSession(again, { sessionIndex: 4, shuffle: SHUFFLE });
    expect(again).toEqual(state);
    expect(state.shared.currentSessionIndex).toBe(4);
    expect(state.scheduler.sessionStartBlock).toBe(8);
    expect(state.scheduler.validatorGroups).toEqual(
      renameGroups(computeValidatorGroups(6, state.config), SHUFFLE),
    );
    expect(() => applyNewSession(state, { sessionIndex: 5, shuffle: [0, 1, 2] })).toThrow(
      /not a permutation/,
    );
    expect(() => applyNewSession(state, { sessionIndex: 4, shuffle: SHUFFLE })).toThrow(
      /does not follow/,
    );
  });
});

/** A bitfield signed in `session` over the tip. */
function signBitfieldIn(c: TestChain, session: number, v: number, payload: readonly boolean[]) {
  return signBitfield(c.crypto, c.keys[v]!.secretKey, [...payload], {
    sessionIndex: session,
    parentHash: c.tip.header.hash,
  });
}

/** Back `receipt` (relay parent the tip) on core 0 with the statements of `signers`. */
function backBy(c: TestChain, receipt: CommittedCandidateReceipt, signers: readonly number[]) {
  const hash = candidateHash(receipt);
  const context = { sessionIndex: c.tip.api.sessionIndexForChild(), parentHash: c.tip.header.hash };
  const attestations = signers.map((v, i) => ({
    kind: i === 0 ? ("Implicit" as const) : ("Explicit" as const),
    signature: signStatement(
      c.crypto,
      c.keys[v]!.secretKey,
      { kind: i === 0 ? "Seconded" : "Valid", candidateHash: hash },
      context,
    ),
  }));
  return newBackedCandidate(
    receipt,
    attestations,
    signers.map(() => true),
    0,
  );
}
