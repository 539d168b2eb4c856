import { describe, expect, it } from "vitest";
import { Prng } from "../../src/lib/prng.ts";
import { BLOCK_GOSSIP_FANOUT, blockGossipPeers } from "../../src/sim/relay-block-production.ts";

function reachable(peers: Map<string, string[]>, from: string): number {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const p of peers.get(queue.shift()!) ?? []) {
      if (!seen.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return seen.size;
}

describe("relay block gossip graph", () => {
  it("reaches every actor from every author, with the fan-out and no self-loops", () => {
    for (const n of [2, 5, 14, 800]) {
      const actors = Array.from({ length: n }, (_, i) => `a${i}`);
      const peers = blockGossipPeers(actors, Prng.fromSeed(7));
      for (const [id, ps] of peers) {
        expect(ps).not.toContain(id);
        expect(new Set(ps).size).toBe(Math.min(BLOCK_GOSSIP_FANOUT, n - 1));
      }
      expect(reachable(peers, "a0")).toBe(n);
      expect(reachable(peers, `a${n - 1}`)).toBe(n);
    }
  });

  it("is the same graph for the same seed", () => {
    const actors = Array.from({ length: 50 }, (_, i) => `a${i}`);
    expect(blockGossipPeers(actors, Prng.fromSeed(1))).toEqual(
      blockGossipPeers(actors, Prng.fromSeed(1)),
    );
  });
});
