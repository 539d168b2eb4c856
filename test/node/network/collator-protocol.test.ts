/**
 * The collator protocol's validator side (async-backing generation): the seconding limit of
 * `max_candidate_depth + 1` per relay parent, the per-collator advertisement limit, duplicates,
 * and the sanity checks of a fetched collation.
 */
import { describe, expect, it } from "vitest";
import { validatorActor } from "../../../src/actors/protocol.ts";
import { hashHex } from "../../../src/primitives/hashing.ts";
import { FakeCollator, H0, makeNetwork, PARA } from "../fake-network.ts";
import { type MadeCandidate, makeCandidate } from "../fake-relay.ts";

const v = validatorActor;

function setup(maxCandidateDepth: number) {
  const net = makeNetwork({ api: () => ({ maxCandidateDepth }) });
  const b1 = net.blocks[1]!;
  net.world.announceBlock(b1);
  net.world.run(100_000);
  const collator = new FakeCollator("c2000-0", net.world);
  const advert = (c: MadeCandidate, from = collator.id) => {
    collator.offer(c);
    return net.nodes[0]!.collatorProtocol.onAdvertisement(from, {
      type: "AdvertiseCollation",
      relayParent: c.receipt.descriptor.relayParent,
      paraId: PARA,
      candidateHash: c.candidateHash,
      parentHeadDataHash: hashHex(c.parentHead),
    });
  };
  return { ...net, b1, collator, advert };
}

describe("collator protocol (validator side)", () => {
  it("stops taking advertisements once max_candidate_depth + 1 collations were seconded", () => {
    const { world, b1, advert, nodes } = setup(0); // limit 1
    const a = makeCandidate({ paraId: PARA, relayParent: b1, parentHead: H0, headData: "0x0a" });
    const b = makeCandidate({
      paraId: PARA,
      relayParent: b1,
      parentHead: "0x0a",
      headData: "0x0b",
    });
    expect(advert(a)).toBe("Fetching");
    expect(advert(a)).toBe("Duplicate");
    world.run();
    expect(nodes[0]!.collatorProtocol.secondedCount(b1.hash)).toBe(1);
    expect(advert(b)).toBe("PeerLimitReached"); // the peer limit is checked first
    expect(advert(b, "c2000-1")).toBe("SecondedLimitReached");
  });

  it("queues while fetching and limits advertisements per collator", () => {
    const { b1, advert } = setup(1); // limit 2
    const cs = [1, 2, 3].map((i) =>
      makeCandidate({ paraId: PARA, relayParent: b1, parentHead: H0, headData: `0x0${i}` }),
    );
    expect(advert(cs[0]!)).toBe("Fetching");
    expect(advert(cs[1]!)).toBe("Queued");
    expect(advert(cs[2]!)).toBe("PeerLimitReached");
    expect(advert(cs[2]!, "c2000-1")).toBe("Queued");
  });

  it("refuses a fetched collation that does not match its advertisement", () => {
    const { world, b1, collator } = setup(3);
    const a = makeCandidate({ paraId: PARA, relayParent: b1, parentHead: H0, headData: "0x0a" });
    const other = makeCandidate({
      paraId: PARA,
      relayParent: b1,
      parentHead: H0,
      headData: "0x0c",
    });
    collator.advertise(v(0), a);
    // The collator answers with another collation under the advertised hash.
    collator.collations.set(a.candidateHash, {
      candidateHash: a.candidateHash,
      receipt: other.receipt,
      pov: other.pov,
      parentHeadData: H0,
    });
    world.run();
    expect(world.messages("CollationFetchRequest")).toHaveLength(1);
    expect(world.cpuJobs.filter((j) => j.pool === "pvf")).toEqual([]);
    expect(collator.seconded).toEqual([]);
  });
});
