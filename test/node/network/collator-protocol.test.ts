/**
 * The collator protocol's validator side: the 2024 seconding limit of `max_candidate_depth + 1`
 * per relay parent, the per-collator advertisement limit, duplicates, the sanity checks of a
 * fetched collation; and the current generation's claim-queue limit (C3).
 */
import { describe, expect, it } from "vitest";
import { validatorActor } from "../../../src/actors/protocol.ts";
import type { Generation } from "../../../src/config/generation.ts";
import { hashHex } from "../../../src/primitives/hashing.ts";
import { FakeCollator, H0, makeNetwork, PARA } from "../fake-network.ts";
import { type MadeCandidate, makeCandidate } from "../fake-relay.ts";

const v = validatorActor;

function setup(maxCandidateDepth: number, generation: Generation = "2024") {
  const net = makeNetwork({ generation, api: () => ({ maxCandidateDepth }) });
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

describe("collator protocol (validator side), current generation: claim-queue fairness", () => {
  /** A chain of five candidates at relay parent 1, H0 -> 0x0a -> ... -> 0x0e. */
  function chainAt(b1: Parameters<typeof makeCandidate>[0]["relayParent"]) {
    const heads = [H0, "0x0a", "0x0b", "0x0c", "0x0d", "0x0e"];
    return [0, 1, 2, 3, 4].map((i) =>
      makeCandidate({
        paraId: PARA,
        relayParent: b1,
        parentHead: heads[i]!,
        headData: heads[i + 1]!,
      }),
    );
  }

  it("seconds no more of a para's collations than its claims in the window, whatever the depth", () => {
    // Claim queue [PARA, PARA, PARA] (lookahead 3), max_candidate_depth 6 (2024's limit: 7).
    const { world, b1, advert, nodes } = setup(6, "current");
    const cs = chainAt(b1);
    expect(cs.slice(0, 4).map((c) => advert(c))).toEqual([
      "Fetching",
      "Queued",
      "Queued",
      "Queued",
    ]);
    world.run();
    expect(nodes[0]!.collatorProtocol.secondedCount(b1.hash)).toBe(3);
    expect(world.messages("CollationFetchRequest")).toHaveLength(3); // the fourth waits, unclaimed
    expect(advert(cs[4]!, "c2000-1")).toBe("SecondedLimitReached");
  });

  it("2024: the same advertisements are all seconded, up to max_candidate_depth + 1", () => {
    const { world, b1, advert, nodes } = setup(6, "2024");
    const cs = chainAt(b1);
    expect(cs.slice(0, 4).map((c) => advert(c))).toEqual([
      "Fetching",
      "Queued",
      "Queued",
      "Queued",
    ]);
    world.run();
    expect(nodes[0]!.collatorProtocol.secondedCount(b1.hash)).toBe(4);
    expect(advert(cs[4]!, "c2000-1")).toBe("Fetching");
  });

  it("a collator may advertise claim-queue length + 1 candidates per relay parent", () => {
    const { b1, advert } = setup(0, "current");
    const cs = chainAt(b1);
    expect(cs.slice(0, 4).map((c) => advert(c))).toEqual([
      "Fetching",
      "Queued",
      "Queued",
      "Queued",
    ]);
    expect(advert(cs[4]!)).toBe("PeerLimitReached");
  });
});

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
