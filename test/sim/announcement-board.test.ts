import { describe, expect, it } from "vitest";
import type { BackedCandidateMessage } from "../../src/actors/env.ts";
import { messageSizeBytes, validatorActor } from "../../src/actors/protocol.ts";
import { Prng } from "../../src/lib/prng.ts";
import { AnnouncementBoard } from "../../src/sim/announcement-board.ts";
import { Network, type NetworkConfig, serialisationUs } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";
import { chain, makeCandidate } from "../node/fake-relay.ts";

const N = 10;
const actors = Array.from({ length: N }, (_, i) => validatorActor(i));
const blocks = chain(3);

function setup(config: Partial<NetworkConfig> = {}) {
  const sched = new Scheduler();
  const net = new Network(sched, Prng.fromSeed(1), {
    latencyMs: { mean: 50, jitter: 20 },
    bandwidthMbps: 100,
    loss: 0,
    ...config,
  });
  const board = new AnnouncementBoard(
    net,
    Prng.fromSeed(1).fork("announcement-gossip"),
    actors,
    (hash) => blocks.find((b) => b.hash === hash)?.number ?? 0,
  );
  return { sched, net, board };
}

/** The `notTo` list that sends to exactly `to`. */
function only(to: readonly number[]): number[] {
  return actors.map((_, v) => v).filter((v) => !to.includes(v));
}

function announcement(paraId: number, relayParent = blocks[1]!): BackedCandidateMessage {
  const c = makeCandidate({ paraId, relayParent, parentHead: "0x00", headData: "0x01" });
  return {
    type: "BackedCandidate",
    relayParent: relayParent.hash,
    receipt: c.receipt,
    candidateHash: c.candidateHash,
    pvd: c.pvd,
    statements: [],
  };
}

describe("AnnouncementBoard", () => {
  it("delivers only to the lazy receivers, per para, after the sender's upload and the latency", () => {
    const { net, board } = setup();
    const msg = announcement(2000);
    board.publish(0, msg, only([2, 3, 4]));
    board.publish(1, announcement(2001), only([5]));
    expect(board.delivered(5, blocks[1]!.hash, 2001)).toHaveLength(1);
    expect(board.delivered(1, blocks[1]!.hash, 2000)).toEqual([]); // not a receiver
    expect(board.delivered(5, blocks[1]!.hash, 2000)).toEqual([]); // another para's receiver
    const copyUs = serialisationUs(messageSizeBytes(msg), 100);
    for (const [copy, v] of [2, 3, 4].entries()) {
      const d = board.delivered(v, blocks[1]!.hash, 2000);
      expect(d.map((x) => [x.id, x.from, x.msg])).toEqual([[0, actors[0], msg]]);
      // Upload slot `copy`, 30..70 ms of latency, then the receiver's download.
      const at = d[0]!.deliveredAtUs;
      expect(at).toBeGreaterThanOrEqual((copy + 1) * copyUs + 30_000);
      expect(at).toBeLessThanOrEqual((copy + 1) * copyUs + 70_000 + copyUs);
    }
    expect(net.traffic(actors[0]!).messagesSent).toBe(3);
  });

  it("a copy's fate does not depend on who asks first or how often", () => {
    const a = setup();
    const b = setup();
    for (const s of [a, b]) {
      for (let i = 0; i < 4; i++) s.board.publish(i, announcement(2000 + i), only([5, 6, 7, 8, 9]));
    }
    const ask = (s: typeof a, order: number[]) => {
      const out = new Map<string, number>();
      for (const v of order) {
        for (let p = 0; p < 4; p++) {
          for (const d of s.board.delivered(v, blocks[1]!.hash, 2000 + p)) {
            out.set(`${v}/${d.id}`, d.deliveredAtUs);
          }
        }
      }
      return out;
    };
    const first = ask(a, [5, 6, 7, 8, 9]);
    const second = ask(b, [9, 7, 5, 8, 6, 9, 5]);
    expect(new Map([...second].sort())).toEqual(new Map([...first].sort()));
    expect(first.size).toBe(20);
  });

  it("leaves lost copies out, and forgets old relay parents", () => {
    const lossy = setup({ loss: 1 });
    lossy.board.publish(0, announcement(2000), only([1, 2]));
    expect(lossy.board.delivered(1, blocks[1]!.hash, 2000)).toEqual([]);

    const { board } = setup();
    board.publish(0, announcement(2000, blocks[1]), only([1]));
    board.publish(0, announcement(2000, blocks[2]), only([1]));
    board.prune(5, 3); // keeps relay parents numbered 2 and above
    expect(board.delivered(1, blocks[1]!.hash, 2000)).toEqual([]);
    expect(board.delivered(1, blocks[2]!.hash, 2000)).toHaveLength(1);
  });
});
