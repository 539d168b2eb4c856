/**
 * The provisioner: it picks backable candidates for free cores (Scheduled, or freed by
 * availability of the occupying candidate), refuses to build on an occupied core whose candidate
 * is not available, applies the node's `3k >= 2n` rule over the bitfields OR-ed with the on-chain
 * votes, selects bitfields like `select_availability_bitfields`, and keeps at most one candidate
 * with a code upgrade.
 */
import { describe, expect, it } from "vitest";
import { validatorActor } from "../../../src/actors/protocol.ts";
import {
  bitfieldsIndicateCoreAvailability,
  selectAvailabilityBitfields,
} from "../../../src/node/core/provisioner.ts";
import type { SignedAvailabilityBitfield } from "../../../src/primitives/inherent.ts";
import type { CoreState, RelayHeader } from "../../../src/primitives/runtime-api.ts";
import {
  FakeCollator,
  freeState,
  GROUPS,
  H0,
  holdData,
  makeNetwork,
  N_VALIDATORS,
  OTHER_PARA,
  PARA,
} from "../fake-network.ts";
import { chain, constraints, makeCandidate, occupied, pendingOf } from "../fake-relay.ts";

const v = validatorActor;
const blocks = chain(4);
const b1 = blocks[1]!;
const b2 = blocks[2]!;
// P: pending availability on core 0 at B2 (backed in B2 by group 0). C builds on it.
const P = makeCandidate({ paraId: PARA, relayParent: b1, parentHead: H0, headData: "0x01" });
const C = makeCandidate({ paraId: PARA, relayParent: b2, parentHead: "0x01", headData: "0x02" });

function occupiedNetwork(timeOutAt = 1_000) {
  return makeNetwork({
    api: (h: RelayHeader) =>
      h.number < 2
        ? {}
        : {
            cores: [
              occupied(P, { nValidators: N_VALIDATORS, groupResponsible: 0, timeOutAt }),
              { kind: "Scheduled", paraId: OTHER_PARA },
            ],
            backingStates: new Map([
              [PARA, { constraints: constraints(H0, 0), pendingAvailability: [pendingOf(P, 1)] }],
              [OTHER_PARA, freeState(h.number)],
            ]),
          },
  });
}

/** Imports B1 and B2 everywhere, has C backed by group 0 (v0 seconds, v1 attests). */
function backC(net: ReturnType<typeof occupiedNetwork>, withData: boolean) {
  const { world, nodes } = net;
  if (withData) {
    // Group 0 backed P: its members hold P's data, so the others can fetch their chunks.
    for (const i of GROUPS[0]) holdData(nodes[i]!, P);
  }
  world.announceBlock(b1);
  world.run(1_000_000);
  world.announceBlock(b2);
  world.run(world.time + 50_000);
  const collator = new FakeCollator("c2000-0", world);
  collator.advertise(v(0), C);
  world.run(world.time + 1_400_000); // backed, bitfields of B2 not yet signed
  for (const node of nodes) expect(node.backing.isBacked(b2.hash, C.candidateHash)).toBe(true);
}

describe("provisioner: request_backable_candidates", () => {
  it("refuses to fill an occupied core whose candidate is not available", () => {
    const net = occupiedNetwork();
    backC(net, false);
    const inherent = net.nodes[3]!.provideInherentData(b2);
    expect(inherent.backedCandidates).toEqual([]);
    const d = net.nodes[3]!.provisioner.lastDecision!;
    expect(d.blockNumber).toBe(3);
    expect(d.availableCores).toEqual([]);
    expect([...d.freeCores]).toEqual([[OTHER_PARA, 1]]);
    expect(d.timedOutCandidates).toEqual([]);
  });

  it("picks the backable candidate on the core freed by availability", () => {
    const net = occupiedNetwork();
    backC(net, true);
    net.world.run(net.world.time + 1_000_000); // everyone signs and exchanges B2's bitfields
    const node = net.nodes[3]!;
    expect(node.provisioner.bitfieldsFor(b2.hash)).toHaveLength(N_VALIDATORS);
    const inherent = node.provideInherentData(b2);
    expect(inherent.bitfields.map((b) => b.validatorIndex)).toEqual([0, 1, 2, 3]);
    expect(inherent.bitfields.every((b) => b.payload[0] === true && b.payload[1] === false)).toBe(
      true,
    );
    expect(inherent.backedCandidates.map((b) => b.candidate)).toEqual([C.receipt]);
    const d = node.provisioner.lastDecision!;
    expect(d.availableCores).toEqual([0]);
    expect(d.availableCandidates).toEqual([P.candidateHash]);
    expect(d.freeCores.get(PARA)).toBe(1);
    expect(d.requested.get(PARA)).toEqual([
      { candidateHash: C.candidateHash, relayParent: b2.hash },
    ]);
  });

  it("treats a candidate past its timeout as timed out and frees its core", () => {
    const net = occupiedNetwork(3); // the block under construction is 3
    backC(net, false);
    net.nodes[2]!.provideInherentData(b2);
    const d = net.nodes[2]!.provisioner.lastDecision!;
    expect(d.timedOutCandidates).toEqual([P.candidateHash]);
    expect(d.freeCores.get(PARA)).toBe(1);
  });

  it("offers no candidate built on a timed-out one (it is no ancestor: the runtime drops it)", () => {
    // C builds on P, which times out in the block under construction: the runtime frees P's core
    // and C's parent head is no longer the para's, so offering C would be dropped
    // (`ValidationDataHashMismatch`). G2 passes no timed-out ancestor to prospective parachains.
    const net = occupiedNetwork(3);
    backC(net, false);
    const inherent = net.nodes[2]!.provideInherentData(b2);
    expect(inherent.backedCandidates).toEqual([]);
    const d = net.nodes[2]!.provisioner.lastDecision!;
    expect(d.freeCores.get(PARA)).toBe(1);
    expect(d.requested.get(PARA)).toBeUndefined();
  });

  it("keeps only one candidate with a code upgrade (the first para's)", () => {
    const code = new Uint8Array([1, 2, 3]);
    const net = makeNetwork();
    const { world, nodes } = net;
    world.announceBlock(b1);
    world.run(100_000);
    const a = makeCandidate({
      paraId: PARA,
      relayParent: b1,
      parentHead: H0,
      headData: "0x0a",
      newValidationCode: code,
    });
    const b = makeCandidate({
      paraId: OTHER_PARA,
      relayParent: b1,
      parentHead: H0,
      headData: "0x0b",
      newValidationCode: code,
    });
    new FakeCollator("c2000-0", world).advertise(v(0), a);
    new FakeCollator("c2001-0", world).advertise(v(2), b);
    world.run(world.time + 1_300_000);
    const inherent = nodes[1]!.provideInherentData(b1);
    expect(inherent.backedCandidates.map((x) => x.candidate)).toEqual([a.receipt]);
    const d = nodes[1]!.provisioner.lastDecision!;
    expect(d.requested.size).toBe(2);
    expect(d.droppedForCodeUpgrade).toEqual([b.candidateHash]);
  });
});

describe("provisioner: availability rules", () => {
  const bf = (validatorIndex: number, payload: boolean[]): SignedAvailabilityBitfield => ({
    validatorIndex,
    payload,
    signature: new Uint8Array(64),
  });

  it("3k >= 2n over the bitfields OR-ed with the on-chain votes", () => {
    // n = 6: 4 votes needed (the runtime would need 5).
    const onChain = [true, true, false, false, false, false];
    expect(bitfieldsIndicateCoreAvailability(0, [bf(2, [true])], onChain)).toBe(false);
    expect(bitfieldsIndicateCoreAvailability(0, [bf(2, [true]), bf(3, [true])], onChain)).toBe(
      true,
    );
    // A vote already on chain does not count twice; a bit for another core does not count.
    expect(
      bitfieldsIndicateCoreAvailability(0, [bf(0, [true]), bf(3, [false, true])], onChain),
    ).toBe(false);
    // An out-of-range validator index invalidates the judgement.
    expect(
      bitfieldsIndicateCoreAvailability(0, [bf(9, [true]), bf(2, [true]), bf(3, [true])], onChain),
    ).toBe(false);
  });

  it("select_availability_bitfields: right length, no bit on a free core, the better one kept", () => {
    const cores: CoreState[] = [
      occupied(P, { nValidators: 4, groupResponsible: 0 }),
      { kind: "Scheduled", paraId: OTHER_PARA },
    ];
    const selected = selectAvailabilityBitfields(cores, [
      bf(3, [true, false]),
      bf(1, [false, false]),
      bf(1, [true, false]), // more ones: replaces the previous one of validator 1
      bf(2, [true]), // wrong length
      bf(0, [true, true]), // bit set for a core that is not occupied
      bf(3, [false, false]), // fewer ones than the one kept
    ]);
    expect(selected.map((b) => [b.validatorIndex, b.payload])).toEqual([
      [1, [true, false]],
      [3, [true, false]],
    ]);
  });
});
