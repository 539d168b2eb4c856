/**
 * The network faults' state (src/sim/net-faults.ts) and every delivery path that consults it:
 * `send`, `multicast`, `gossip` (relay blocks exempt), `lazyDelivery`, `lazyCopy`, and the four
 * boards' lazily computed copies (bitfields, announcements, approvals, chunk fetches).
 */
import { describe, expect, it } from "vitest";
import type {
  ApprovalItem,
  BackedCandidateMessage,
  BitfieldMessage,
} from "../../src/actors/env.ts";
import { validatorActor } from "../../src/actors/protocol.ts";
import type { AppliedFault, Fault } from "../../src/config/faults.ts";
import { Prng } from "../../src/lib/prng.ts";
import { AnnouncementBoard } from "../../src/sim/announcement-board.ts";
import { ApprovalBoard } from "../../src/sim/approval-board.ts";
import { BitfieldBoard } from "../../src/sim/bitfield-board.ts";
import { ChunkFetchBoard } from "../../src/sim/chunk-fetching.ts";
import { CLEAN, combinedLoss, NetFaults, slowedPvfHost } from "../../src/sim/net-faults.ts";
import { Network, type NetworkConfig } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";
import { chain, makeCandidate } from "../node/fake-relay.ts";

const SLOT = 6_000_000;
const N = 6;
const actors = Array.from({ length: N }, (_, i) => validatorActor(i));
const COLLATOR = "c2000-0";
const indexOf = (a: string) => {
  const i = actors.indexOf(a);
  return i < 0 ? undefined : i;
};

/** Faults as a scenario lists them (`until` added). */
function faults(list: readonly Fault[]): NetFaults {
  const applied = list.map((f): AppliedFault => ({ ...f, until: f.at + f.for }));
  return new NetFaults(applied, SLOT, N, indexOf);
}

/** Sides {0, 1, 2} and {3, 4}; validator 5 in no side; slots 2..3. */
const PARTITION = {
  kind: "partition",
  at: 2,
  for: 2,
  sides: [
    [0, 1, 2],
    [3, 4],
  ],
} as const;
const side = (v: number) => (v <= 2 ? 0 : v <= 4 ? 1 : -1);
/** Whether the partition cuts the copy from validator `a` to validator `b`. */
const crosses = (a: number, b: number) => side(a) >= 0 && side(b) >= 0 && side(a) !== side(b);

describe("NetFaults", () => {
  it("a partition cuts exactly the copies between its sides, in its slots only", () => {
    const nf = faults([PARTITION]);
    const inWindow = 2 * SLOT;
    for (let a = 0; a < N; a++) {
      for (let b = 0; b < N; b++) {
        expect(nf.fate(actors[a]!, actors[b]!, inWindow).cut).toBe(crosses(a, b));
      }
    }
    // Slot 2 starts at 2 x slotUs; slot 4 (= at + for) is healed.
    expect(nf.fate("v0", "v3", 2 * SLOT - 1)).toEqual(CLEAN);
    expect(nf.fate("v0", "v3", 4 * SLOT - 1).cut).toBe(true);
    expect(nf.fate("v0", "v3", 4 * SLOT)).toEqual(CLEAN);
    // Collators reach both sides.
    expect(nf.fate(COLLATOR, "v3", inWindow)).toEqual(CLEAN);
    expect(nf.fate("v0", COLLATOR, inWindow)).toEqual(CLEAN);
  });

  it("a link adds loss and delay on its directions only; overlapping links combine", () => {
    const nf = faults([
      { kind: "link", at: 1, for: 5, from: "all", to: [2], loss: 0.5, delayMs: 500 },
      { kind: "link", at: 3, for: 1, from: [0], to: [2, 3], loss: 0.5, delayMs: 100 },
    ]);
    expect(nf.fate("v1", "v2", SLOT)).toEqual({ cut: false, loss: 0.5, delayUs: 500_000 });
    expect(nf.fate("v2", "v1", SLOT)).toEqual(CLEAN); // one-way
    expect(nf.fate("v2", "v2", SLOT)).toEqual(CLEAN); // a node to itself
    expect(nf.fate(COLLATOR, "v2", SLOT)).toEqual(CLEAN); // links name validators
    expect(nf.fate("v0", "v2", 3 * SLOT)).toEqual({ cut: false, loss: 0.75, delayUs: 600_000 });
    expect(nf.fate("v0", "v3", 3 * SLOT)).toEqual({ cut: false, loss: 0.5, delayUs: 100_000 });
    expect(nf.fate("v0", "v2", 6 * SLOT)).toEqual(CLEAN);
  });

  it("slow multiplies, late-bitfields adds, for the named validators in the window", () => {
    const nf = faults([
      { kind: "slow", at: 1, for: 2, validators: [1, 2], speed: 3 },
      { kind: "slow", at: 2, for: 1, validators: [2], speed: 2 },
      { kind: "late-bitfields", at: 1, for: 1, validators: [4], delayMs: 4000 },
    ]);
    expect(nf.speed(1, SLOT)).toBe(3);
    expect(nf.speed(2, 2 * SLOT + 5)).toBe(6);
    expect(nf.speed(1, 3 * SLOT)).toBe(1);
    expect(nf.speed(0, SLOT)).toBe(1);
    expect(nf.bitfieldDelayUs(4, SLOT + 1_500_000)).toBe(4_000_000);
    expect(nf.bitfieldDelayUs(4, 2 * SLOT)).toBe(0);
    expect(nf.bitfieldDelayUs(3, SLOT)).toBe(0);
    const clock = { now: SLOT };
    const host = slowedPvfHost(
      { execute: () => ({ kind: "Invalid", reason: "x", cpuUs: 1000 }) },
      nf,
      1,
      clock,
    );
    expect(host.execute("0x", {} as never, {} as never).cpuUs).toBe(3000);
    clock.now = 3 * SLOT;
    expect(host.execute("0x", {} as never, {} as never).cpuUs).toBe(1000);
  });

  it("is absent for runs without its kinds; combined loss is independent loss", () => {
    const crash = { kind: "crash", at: 1, for: 1, until: 2, validators: [0], loseStore: false };
    expect(NetFaults.fromFaults([crash as AppliedFault], SLOT, N, indexOf)).toBeNull();
    expect(NetFaults.fromFaults([], SLOT, N, indexOf)).toBeNull();
    expect(combinedLoss(0.1, 0)).toBe(0.1);
    expect(combinedLoss(0.5, 0.5)).toBe(0.75);
    expect(combinedLoss(0, 1)).toBe(1);
  });
});

function net(nf: NetFaults | null, config: Partial<NetworkConfig> = {}) {
  const sched = new Scheduler();
  const network = new Network(sched, Prng.fromSeed(7), {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
    ...config,
  });
  network.setFaults(nf);
  return { sched, network };
}

/** Every ordered pair of distinct validators, as "a>b". */
const allPairs = actors.flatMap((_, a) => actors.flatMap((_, b) => (a === b ? [] : [`${a}>${b}`])));
/** The pairs the partition leaves. */
const uncut = allPairs.filter((p) => {
  const [a, b] = p.split(">").map(Number);
  return !crosses(a!, b!);
});

describe("a partition on every delivery path", () => {
  const start = 2 * SLOT;

  it("send, multicast and gossip drop exactly the cross-side copies; relay blocks' gossip none", () => {
    const { sched, network } = net(faults([PARTITION]));
    sched.runUntil(start);
    const got: Record<string, string[]> = { send: [], multicast: [], gossip: [], exempt: [] };
    for (let a = 0; a < N; a++) {
      const others = actors.filter((_, b) => b !== a);
      for (let b = 0; b < N; b++) {
        if (b !== a) network.send(actors[a]!, actors[b]!, 100, () => got.send!.push(`${a}>${b}`));
      }
      network.multicast(actors[a]!, others, 100, (peer) =>
        got.multicast!.push(`${a}>${indexOf(peer)}`),
      );
      // A star: only the origin sends, so each copy is one link.
      const star = (_node: string, from: string | undefined) => (from === undefined ? others : []);
      network.gossip(actors[a]!, 100, star, (node) => got.gossip!.push(`${a}>${indexOf(node)}`));
      network.gossip(
        actors[a]!,
        100,
        star,
        (node) => got.exempt!.push(`${a}>${indexOf(node)}`),
        "RelayBlock",
        false,
      );
    }
    sched.runUntil(start + SLOT - 1);
    expect(got.send!.sort()).toEqual([...uncut].sort());
    expect(got.multicast!.sort()).toEqual([...uncut].sort());
    expect(got.gossip!.sort()).toEqual([...uncut].sort());
    expect(got.exempt!.sort()).toEqual([...allPairs].sort());
    // A collator reaches both sides, and both sides reach it.
    const collator: string[] = [];
    network.send(COLLATOR, "v0", 100, () => collator.push("c>0"));
    network.send(COLLATOR, "v3", 100, () => collator.push("c>3"));
    network.send("v4", COLLATOR, 100, () => collator.push("4>c"));
    sched.runUntil(start + 2 * SLOT - 1);
    expect(collator.sort()).toEqual(["4>c", "c>0", "c>3"]);
  });

  it("lazy copies (lazyDelivery, lazyCopy) drop exactly the cross-side ones, by send time", () => {
    const { sched, network } = net(faults([PARTITION]));
    sched.runUntil(start);
    const delivered: string[] = [];
    const copied: string[] = [];
    for (let a = 0; a < N; a++) {
      const others = actors.filter((_, b) => b !== a);
      const lazy = network.lazyBroadcast(actors[a]!, others, 100);
      const up = network.lazyUpload(actors[a]!, others.length, 100);
      others.forEach((peer, k) => {
        const rng = Prng.fromSeed(`${a}/${k}`);
        if (network.lazyDelivery(lazy, k, rng) !== null) delivered.push(`${a}>${indexOf(peer)}`);
        const at = network.lazyCopy(
          actors[a]!,
          peer,
          100,
          up.sentAtUs,
          up.upStartUs,
          up.copyUs,
          rng,
        );
        if (at !== null) copied.push(`${a}>${indexOf(peer)}`);
      });
    }
    expect(delivered.sort()).toEqual([...uncut].sort());
    expect(copied.sort()).toEqual([...uncut].sort());
    // A copy sent before the partition is not cut, even when asked for during it.
    expect(
      network.lazyCopy("v0", "v3", 100, start - 1, start - 1, 10, Prng.fromSeed(1)),
    ).not.toBeNull();
  });

  it("the four boards drop exactly the cross-side copies", () => {
    const { sched, network } = net(faults([PARTITION]));
    sched.runUntil(start);
    const rp = "0xaa";
    const numberOf = () => 2;
    // Bitfields.
    const bitfields = new BitfieldBoard(network, Prng.fromSeed(1), actors, numberOf);
    for (let v = 0; v < N; v++) {
      const msg = {
        type: "Bitfield",
        relayParent: rp,
        validatorIndex: v,
        bits: [true],
        signature: new Uint8Array(64),
      };
      bitfields.publish(v, msg as BitfieldMessage, [v]);
    }
    const bitfieldPairs = actors.flatMap((_, to) =>
      bitfields.delivered(to, rp).map((d) => `${indexOf(d.from)}>${to}`),
    );
    expect(bitfieldPairs.sort()).toEqual([...uncut].sort());
    // Backed-candidate announcements.
    const announcements = new AnnouncementBoard(network, Prng.fromSeed(2), actors, numberOf);
    const c = makeCandidate({
      paraId: 2000,
      relayParent: chain(2)[1]!,
      parentHead: "0x00",
      headData: "0x01",
    });
    for (let v = 0; v < N; v++) {
      const msg: BackedCandidateMessage = {
        type: "BackedCandidate",
        relayParent: rp,
        receipt: c.receipt,
        candidateHash: c.candidateHash,
        pvd: c.pvd,
        statements: [],
      };
      announcements.publish(v, msg, [v]);
    }
    const announced = actors.flatMap((_, to) =>
      announcements.delivered(to, rp, 2000).map((d) => `${indexOf(d.from)}>${to}`),
    );
    expect(announced.sort()).toEqual([...uncut].sort());
    // Approval gossip.
    const approvals = new ApprovalBoard(network, Prng.fromSeed(3), actors, numberOf);
    for (let v = 0; v < N; v++) {
      const item: ApprovalItem = {
        kind: "assignment",
        validator: v,
        candidateIndices: [0],
        tranche: 0,
        cert: {},
      };
      approvals.publish(v, rp, item, 100, sched.now);
    }
    const approved = actors.flatMap((_, to) =>
      approvals
        .arrivals(to, rp)
        .items.filter((i) => i.validator !== to)
        .map((i) => `${i.validator}>${to}`),
    );
    expect(approved.sort()).toEqual([...uncut].sort());
    // Chunk fetches: a request across the sides is cut, so no response either.
    const chunks = new ChunkFetchBoard(network, Prng.fromSeed(4), actors, {
      answer: (_b, requester) => ({ index: requester, chunk: new Uint8Array(10), proof: [] }),
    });
    const answered: string[] = [];
    for (let r = 0; r < N; r++) {
      for (let b = 0; b < N; b++) {
        if (r === b) continue;
        const req = chunks.request(r, "0xc1", b, sched.now);
        if (req.response(start + SLOT - 1) !== null) answered.push(`${b}>${r}`);
      }
    }
    expect(answered.sort()).toEqual([...uncut].sort());
  });

  it("a chunk response sent once the partition started is cut though its request was not", () => {
    const { sched, network } = net(faults([PARTITION]), { latencyMs: { mean: 50, jitter: 0 } });
    sched.runUntil(start - 10_000); // the request leaves 10 ms before the partition, arrives 40 ms into it
    const chunks = new ChunkFetchBoard(network, Prng.fromSeed(4), actors, {
      answer: (_b, requester) => ({ index: requester, chunk: new Uint8Array(10), proof: [] }),
    });
    const across = chunks.request(0, "0xc1", 3, sched.now);
    const within = chunks.request(0, "0xc1", 1, sched.now);
    expect(across.response(start + SLOT)).toBeNull();
    expect(within.response(start + SLOT)).not.toBeNull();
  });
});

describe("link faults on the network", () => {
  it("loss 1.0 on both directions of a validator drops what a partition of it drops, same draws", () => {
    const partition = faults([
      { kind: "partition", at: 0, for: 10, sides: [[0], [1, 2, 3, 4, 5]] },
    ]);
    const links = faults([
      { kind: "link", at: 0, for: 10, from: "all", to: [0], loss: 1, delayMs: 0 },
      { kind: "link", at: 0, for: 10, from: [0], to: "all", loss: 1, delayMs: 0 },
    ]);
    const trace = (nf: NetFaults) => {
      const { sched, network } = net(nf);
      const out: string[] = [];
      for (let a = 0; a < N; a++) {
        const others = actors.filter((_, b) => b !== a);
        network.multicast(actors[a]!, others, 1000, (p) => out.push(`${a}>${p}@${sched.now}`));
      }
      sched.run();
      return out;
    };
    const cut = trace(partition);
    expect(cut).toEqual(trace(links));
    expect(cut.some((s) => s.startsWith("0>") || s.includes(">v0@"))).toBe(false);
    expect(cut).toHaveLength(5 * 4);
  });

  it("extra delay is added to the latency; extra loss takes no new draw (other links keep their times)", () => {
    const plain = net(null, { latencyMs: { mean: 50, jitter: 0 } });
    const delayed = net(
      faults([{ kind: "link", at: 0, for: 10, from: [0], to: [1], loss: 0, delayMs: 500 }]),
      { latencyMs: { mean: 50, jitter: 0 } },
    );
    const at = (n: ReturnType<typeof net>) => {
      let t = -1;
      n.network.send("v0", "v1", 0, () => {
        t = n.sched.now;
      });
      n.sched.run();
      return t;
    };
    expect(at(delayed) - at(plain)).toBe(500_000);
    // Half of v0 -> v1 lost; every other copy delivered at the time it has without the fault.
    const times = (nf: NetFaults | null) => {
      const { sched, network } = net(nf);
      const out = new Map<string, number>();
      for (let i = 0; i < 200; i++) {
        network.multicast("v0", ["v1", "v2"], 10, (p) => out.set(`${i}>${p}`, sched.now));
      }
      sched.run();
      return out;
    };
    const base = times(null);
    const lossy = times(
      faults([{ kind: "link", at: 0, for: 10, from: [0], to: [1], loss: 0.5, delayMs: 0 }]),
    );
    const toV1 = [...lossy.keys()].filter((k) => k.endsWith(">v1")).length;
    expect(toV1).toBeGreaterThan(60);
    expect(toV1).toBeLessThan(140);
    // v0 -> v2 is untouched: same copies at the same times (no draw was added or moved).
    const toV2 = [...lossy].filter(([k]) => k.endsWith(">v2"));
    expect(toV2).toHaveLength(200);
    for (const [k, t] of toV2) expect(t).toBe(base.get(k));
  });
});
