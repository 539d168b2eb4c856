/**
 * Availability (modelled) and bitfield signing: on a new leaf every validator outside the backing
 * group fetches its chunk of each occupied core's candidate from the group's members; 1.5 s
 * after the leaf it signs a bitfield whose bit i says "core i is occupied and I hold my chunk",
 * and sends it to every other validator.
 */

import { describe, expect, it } from "vitest";
import type { ValidatorEnv } from "../../../src/actors/env.ts";
import { validatorActor } from "../../../src/actors/protocol.ts";
import { BitfieldSigning, SPAWNED_TASK_DELAY_US } from "../../../src/node/core/bitfield-signing.ts";
import { recoveryThreshold } from "../../../src/primitives/erasure/codec.ts";
import { encodeAvailableData } from "../../../src/primitives/erasure/encoding.ts";
import { validatorKeypair } from "../../../src/primitives/keys.ts";
import { noneCrypto } from "../../../src/primitives/signing.ts";
import { bitfieldSigningPayload } from "../../../src/primitives/statements.ts";
import {
  availabilityCandidates,
  GROUPS,
  holdData,
  N_VALIDATORS,
  occupiedNetwork,
} from "../fake-network.ts";
import { chain } from "../fake-relay.ts";

const v = validatorActor;
const blocks = chain(4);
const b1 = blocks[1]!;
// P occupies core 0 and Q core 1 at B1; group 1 (validators 2, 3) backed both.
const { P, Q } = availabilityCandidates();

function setup() {
  const net = occupiedNetwork();
  // Only validator 2 kept P's data; nobody kept Q's.
  holdData(net.nodes[2]!, net.P);
  return net;
}

describe("availability distribution", () => {
  it("recovery threshold", () => {
    expect([1, 3, 4, 10, 300].map(recoveryThreshold)).toEqual([1, 1, 2, 4, 100]);
  });

  it("fetches my chunk from the responsible group, moving to the next backer on a miss", () => {
    const { world, nodes } = setup();
    world.announceBlock(b1);
    world.run(1_000_000);
    // The group's own members do not fetch; the others ask validators of group 1 only.
    const requests = world.messages("ChunkFetchRequest");
    for (const m of requests) {
      expect(["v0", "v1"]).toContain(m.from);
      expect(GROUPS[1].map((i) => v(i))).toContain(m.to);
    }
    // P: found at v2 (after a miss at v3 if v3 was asked first). Q: both backers miss.
    const found = world.messages("ChunkFetchResponse", (m) => m.msg.chunk !== null);
    // Each gets its own chunk (index = validator index: no chunk mapping), with its proof.
    expect(
      found.map((m) => [m.from, m.to, m.msg.candidateHash, m.msg.chunk?.index]).sort(),
    ).toEqual(
      [
        [v(2), v(0), P.candidateHash, 0],
        [v(2), v(1), P.candidateHash, 1],
      ].sort(),
    );
    const encoding = encodeAvailableData(4, P.pov, P.pvd);
    if (!encoding.ok) throw new Error(encoding.error.code);
    expect(found.map((m) => m.msg.chunk?.chunk)).toEqual(
      found.map((m) => encoding.value.chunks[m.msg.chunk!.index]),
    );
    const qRequests = requests.filter((m) => m.msg.candidateHash === Q.candidateHash);
    expect(qRequests.map((m) => `${m.from}->${m.to}`).sort()).toEqual(
      ["v0->v2", "v0->v3", "v1->v2", "v1->v3"].sort(),
    );
    expect(nodes[0]!.availabilityStore.hasChunk(P.candidateHash)).toBe(true);
    expect(nodes[0]!.availabilityStore.hasChunk(Q.candidateHash)).toBe(false);
    expect(nodes[0]!.availability.requester.fetchState(Q.candidateHash)).toBe("Failed");
  });
});

describe("bitfield signing", () => {
  it("signs, 1.5 s after the leaf, one bit per core following chunk possession", () => {
    const { world, nodes } = setup();
    world.announceBlock(b1);
    world.run();
    const bitfields = world.messages("Bitfield");
    // Each validator sends its bitfield to the three others.
    expect(bitfields).toHaveLength(N_VALIDATORS * (N_VALIDATORS - 1));
    const leafImportedAt = world.latencyUs;
    for (const m of bitfields) expect(m.at).toBe(leafImportedAt + SPAWNED_TASK_DELAY_US);
    const bitsOf = (i: number) => bitfields.find((m) => m.from === v(i))!.msg.bits;
    expect(bitsOf(0)).toEqual([true, false]); // fetched P's chunk; Q's could not be fetched
    expect(bitsOf(1)).toEqual([true, false]);
    expect(bitsOf(2)).toEqual([true, false]); // a backer holding P's data
    expect(bitsOf(3)).toEqual([false, false]); // a backer that kept nothing
    // Signed over (bitfield, SigningContext{session, leaf}).
    const m = bitfields.find((x) => x.from === v(1))!;
    expect(
      noneCrypto.verify(
        bitfieldSigningPayload(m.msg.bits, { sessionIndex: 1, parentHash: b1.hash }),
        m.msg.signature,
        validatorKeypair(noneCrypto, 1).publicKey,
      ),
    ).toBe(true);
    // Every provisioner holds all bitfields for the leaf (its own included).
    for (const node of nodes) {
      expect(
        node.provisioner
          .bitfieldsFor(b1.hash)
          .map((b) => b.validatorIndex)
          .sort(),
      ).toEqual([0, 1, 2, 3]);
    }
  });

  it("signs no bitfield for a leaf replaced before the delay", () => {
    const { world } = setup();
    world.announceBlock(b1);
    world.run(1_000_000);
    world.announceBlock(blocks[2]!);
    world.run();
    const relayParents = new Set(world.messages("Bitfield").map((m) => m.msg.relayParent));
    expect([...relayParents]).toEqual([blocks[2]!.hash]);
  });

  it("waits the environment's extra delay (a late node) on top of SPAWNED_TASK_DELAY", () => {
    const waits: number[] = [];
    const envOf = (extraUs: number | undefined) =>
      ({
        after: (delayUs: number) => {
          waits.push(delayUs);
          return { cancel: () => {} };
        },
        ...(extraUs === undefined ? {} : { bitfieldSigningDelayUs: () => extraUs }),
      }) as unknown as ValidatorEnv;
    for (const extra of [undefined, 0, 4_000_000]) {
      const signing = new BitfieldSigning(
        envOf(extra),
        {} as never,
        {} as never,
        {} as never,
        {} as never,
      );
      signing.activeLeavesUpdate(b1.hash, []);
    }
    expect(waits).toEqual([
      SPAWNED_TASK_DELAY_US,
      SPAWNED_TASK_DELAY_US,
      SPAWNED_TASK_DELAY_US + 4_000_000,
    ]);
  });
});
