/**
 * fast-check properties of the fragment chain, on random trees of candidates (random candidate
 * hashes, random relay parents in and out of scope, random pending-availability prefixes),
 * introduced and backed in random interleavings:
 *   (a) the best chain never exceeds maxDepth + 1 candidates, pending ones included;
 *   (b) relay-parent numbers never decrease along the best chain;
 *   (c) the best chain depends neither on the order in which candidates were introduced nor on the
 *       order in which they were backed: two random orders give the same chain, which is the
 *       greedy chain of a small reference model (pending prefix, then at each step the valid
 *       backed child with the lowest hash).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RelayChainBlockInfo } from "../../../../src/emulator/inclusion-emulator.ts";
import { type Hash, type Hex, repeatByte, toHex } from "../../../../src/lib/hex.ts";
import { CandidateStorage } from "../../../../src/node/core/prospective-parachains/candidate-storage.ts";
import { FragmentChain } from "../../../../src/node/core/prospective-parachains/fragment-chain.ts";
import type { PendingAvailability } from "../../../../src/node/core/prospective-parachains/scope.ts";
import { hashBytes } from "../../../../src/primitives/hashing.ts";
import {
  type Committed,
  entry,
  makeCommittedCandidate,
  makeConstraints,
  scopeOf,
} from "./helpers.ts";

const N = 10; // the scope's relay parent number
const block = (number: number): RelayChainBlockInfo => ({
  number,
  hash: repeatByte(0x40 + number),
  storageRoot: repeatByte(0x80 + number),
});
const BASE_HEAD: Hex = "0xaaaa";

interface World {
  readonly ancestorsLen: number;
  readonly maxDepth: number;
  /** Relay-parent numbers of the pending-availability candidates, in chain order. */
  readonly pendingRps: readonly number[];
  readonly nodes: readonly {
    readonly parent: number; // -2: base head, -1: pending tip (or base head), else a node index
    readonly rp: number;
    readonly backed: boolean;
  }[];
  readonly salt: number;
}

const arbWorld: fc.Arbitrary<World> = fc
  .record({
    ancestorsLen: fc.integer({ min: 0, max: 3 }),
    maxDepth: fc.integer({ min: 0, max: 5 }),
    pendingSteps: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
    pendingStart: fc.integer({ min: 0, max: 4 }),
    nodes: fc.array(
      fc.record({ parent: fc.nat(), rp: fc.nat(), backed: fc.boolean(), fork: fc.nat(9) }),
      { minLength: 1, maxLength: 12 },
    ),
    salt: fc.nat(),
  })
  .map(({ ancestorsLen, maxDepth, pendingSteps, pendingStart, nodes, salt }) => {
    // Pending relay parents: non-decreasing, possibly older than the scope (out of scope).
    const pendingRps: number[] = [];
    let rp = N - ancestorsLen - pendingStart;
    for (const step of pendingSteps.slice(0, maxDepth + 1)) {
      rp = Math.min(N, rp + step);
      pendingRps.push(rp);
    }
    const earliest = N - ancestorsLen;
    const floor = pendingRps.length > 0 ? Math.min(earliest, pendingRps.at(-1)!) : earliest;
    return {
      ancestorsLen,
      maxDepth,
      pendingRps,
      nodes: nodes.map((n, i) => ({
        // Mostly the tree; sometimes a fork of the first pending candidate (from the base head).
        parent: n.fork === 0 ? -2 : (n.parent % (i + 1)) - 1,
        // Mostly in scope; sometimes one block older than the scope or the pending tip.
        rp: Math.max(0, N - (n.rp % (ancestorsLen + 2)), floor - 1),
        backed: n.backed,
      })),
      salt,
    };
  });

interface Built {
  readonly hashes: Hash[];
  readonly committed: Committed[];
  readonly pending: { hash: Hash; committed: Committed; info: RelayChainBlockInfo }[];
  readonly heads: Hex[];
}

function build(w: World): Built {
  const saltBytes = [w.salt & 0xff, (w.salt >> 8) & 0xff, (w.salt >> 16) & 0xff];
  const pending = w.pendingRps.map((rp, j) => {
    const parent = j === 0 ? BASE_HEAD : toHex(new Uint8Array([2, j - 1]));
    const info = block(rp);
    return {
      hash: hashBytes(new Uint8Array([...saltBytes, 0xfe, j])),
      committed: makeCommittedCandidate(
        1,
        info.hash,
        rp,
        parent,
        toHex(new Uint8Array([2, j])),
        rp,
        info.storageRoot,
      ),
      info,
    };
  });
  const tipHead = pending.length > 0 ? toHex(new Uint8Array([2, pending.length - 1])) : BASE_HEAD;
  const heads = w.nodes.map((_, i) => toHex(new Uint8Array([1, i])));
  const committed = w.nodes.map((n, i) => {
    const parentHead = n.parent === -2 ? BASE_HEAD : n.parent === -1 ? tipHead : heads[n.parent]!;
    const info = block(n.rp);
    return makeCommittedCandidate(
      1,
      info.hash,
      n.rp,
      parentHead,
      heads[i]!,
      n.rp,
      info.storageRoot,
    );
  });
  // Random candidate hashes: fork choice compares them.
  const hashes = w.nodes.map((_, i) => hashBytes(new Uint8Array([...saltBytes, i])));
  return { hashes, committed, pending, heads };
}

function scopeFor(w: World, b: Built) {
  const ancestors = Array.from({ length: w.ancestorsLen }, (_, i) => block(N - 1 - i));
  const pending: PendingAvailability[] = b.pending.map((p) => ({
    candidateHash: p.hash,
    relayParent: p.info,
  }));
  const base = {
    ...makeConstraints(N - w.ancestorsLen, [], BASE_HEAD),
    dmpRemainingMessages: [],
  };
  // No DMP queue, so candidates need not process any message.
  return scopeOf(block(N), base, pending, w.maxDepth, ancestors);
}

/** Candidates in the test have processed_downward_messages = 1 from the helper: zero it. */
function withoutDmp(c: Committed): Committed {
  return {
    pvd: c.pvd,
    receipt: {
      ...c.receipt,
      commitments: { ...c.receipt.commitments, processedDownwardMessages: 0 },
    },
  };
}

type Event = { kind: "intro" | "back"; index: number };

const arbOrder = (n: number): fc.Arbitrary<Event[]> =>
  fc.array(fc.tuple(fc.nat(1000), fc.nat(1000)), { minLength: n, maxLength: n }).map((keys) => {
    const events: [number, number, Event][] = [];
    keys.forEach(([intro, delay], index) => {
      events.push([intro, 0, { kind: "intro", index }]);
      events.push([intro + delay + 1, 1, { kind: "back", index }]);
    });
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].index - b[2].index);
    return events.map((e) => e[2]);
  });

/** Runs one interleaving; checks (a) and (b) after every event; returns the best chain. */
function run(w: World, b: Built, events: Event[]): Hash[] {
  const scope = scopeFor(w, b);
  const pendingStorage = new CandidateStorage();
  for (const p of b.pending) {
    const c = withoutDmp(p.committed);
    pendingStorage.addPendingAvailabilityCandidate(p.hash, c.receipt, c.pvd);
  }
  const chain = FragmentChain.init(scope, pendingStorage);
  const check = () => {
    // (a) at most maxDepth + 1 candidates, pending ones included.
    expect(chain.bestChainLen()).toBeLessThanOrEqual(w.maxDepth + 1);
    // (b) relay-parent numbers never decrease along the best chain.
    const rps = chain.bestChainNodes().map((n) => n.fragment.relayParent.number);
    for (let i = 1; i < rps.length; i++) expect(rps[i]!).toBeGreaterThanOrEqual(rps[i - 1]!);
    // A candidate is never both in the best chain and unconnected.
    for (const h of chain.bestChainVec()) expect(chain.containsUnconnectedCandidate(h)).toBe(false);
  };
  check();
  for (const e of events) {
    const hash = b.hashes[e.index]!;
    if (e.kind === "intro") {
      chain.tryAddingSecondedCandidate(entry(hash, withoutDmp(b.committed[e.index]!), "Seconded"));
    } else if (w.nodes[e.index]!.backed) {
      chain.candidateBacked(hash);
    }
    check();
  }
  return chain.bestChainVec();
}

/** The reference: the pending prefix, then greedily the valid backed child with the lowest hash. */
function model(w: World, b: Built): Hash[] {
  const chain = b.pending.map((p) => p.hash);
  let head: Hex =
    b.pending.length > 0 ? toHex(new Uint8Array([2, b.pending.length - 1])) : BASE_HEAD;
  let lastRp = b.pending.length > 0 ? b.pending.at(-1)!.info.number : N - w.ancestorsLen;
  const minInScope = N - w.ancestorsLen;
  while (chain.length <= w.maxDepth) {
    let best: number | undefined;
    w.nodes.forEach((n, i) => {
      if (!n.backed || b.committed[i]!.pvd.parentHead !== head) return;
      if (n.rp < minInScope || n.rp < lastRp) return;
      if (best === undefined || b.hashes[i]! < b.hashes[best]!) best = i;
    });
    if (best === undefined) break;
    chain.push(b.hashes[best]!);
    head = b.heads[best]!;
    lastRp = w.nodes[best]!.rp;
  }
  return chain;
}

describe("fragment chain properties", () => {
  it("(a) (b) (c) the best chain is bounded, monotonic in relay parents and order-independent", () => {
    fc.assert(
      fc.property(
        arbWorld.chain((w) =>
          fc.tuple(fc.constant(w), arbOrder(w.nodes.length), arbOrder(w.nodes.length)),
        ),
        ([w, order1, order2]) => {
          const b = build(w);
          const chain1 = run(w, b, order1);
          const chain2 = run(w, b, order2);
          expect(chain1).toEqual(chain2);
          expect(chain1).toEqual(model(w, b));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the chain built incrementally equals the one populated at once from the same candidates", () => {
    fc.assert(
      fc.property(
        arbWorld.chain((w) => fc.tuple(fc.constant(w), arbOrder(w.nodes.length))),
        ([w, order]) => {
          const b = build(w);
          const incremental = run(w, b, order);
          // All candidates at once, in their final states (as `populate_from_previous` sees them).
          const storage = new CandidateStorage();
          for (const p of b.pending) {
            const c = withoutDmp(p.committed);
            storage.addPendingAvailabilityCandidate(p.hash, c.receipt, c.pvd);
          }
          b.committed.forEach((c, i) => {
            const state = w.nodes[i]!.backed ? "Backed" : "Seconded";
            storage.addCandidateEntry(entry(b.hashes[i]!, withoutDmp(c), state));
          });
          expect(FragmentChain.populate(scopeFor(w, b), storage).bestChainVec()).toEqual(
            incremental,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
