import { describe, expect, it } from "vitest";
import { validatorActor } from "../../src/actors/protocol.ts";
import { Prng } from "../../src/lib/prng.ts";
import { ChunkFetchBoard } from "../../src/sim/chunk-fetching.ts";
import { Network, type NetworkConfig } from "../../src/sim/network.ts";
import { Scheduler } from "../../src/sim/scheduler.ts";

const N = 10;
const actors = Array.from({ length: N }, (_, i) => validatorActor(i));
const C = "0xc1";
const D = "0xd1";
/** 100 Mbit/s moves 12.5 bytes per µs: a chunk of 1 MB takes 80 ms (its bytes do not matter to the board). */
const CHUNK_BYTES = 1_000_000;
const CHUNK = new Uint8Array(CHUNK_BYTES);

function setup(config: Partial<NetworkConfig> = {}, storedAt: Record<string, number> = {}) {
  const net = new Network(new Scheduler(), Prng.fromSeed(1), {
    latencyMs: { mean: 50, jitter: 0 },
    bandwidthMbps: 100,
    loss: 0,
    ...config,
  });
  // Each backer answers as a responder does: the chunk iff it stored the data by then.
  const board = new ChunkFetchBoard(net, Prng.fromSeed(1).fork("chunk-fetching"), actors, {
    answer: (v, requester, hash, atUs) => {
      const at = storedAt[`${v}/${hash}`];
      const found = at !== undefined && at <= atUs;
      return found ? { index: requester, chunk: CHUNK, proof: [] } : null;
    },
  });
  return { net, board };
}

describe("ChunkFetchBoard", () => {
  it("answers with the chunk iff the backer stored the data before the request arrived", () => {
    const { board } = setup({}, { [`0/${C}`]: 0, [`0/${D}`]: 60_000 });
    const c = board.request(1, C, 0, 0);
    const d = board.request(2, D, 0, 0);
    // Not delivered yet: nothing to say.
    expect(c.response(50_000)).toBeNull();
    const rc = c.response(1_000_000)!;
    expect(rc.chunk).toEqual({ index: 1, chunk: CHUNK, proof: [] });
    // The request for D arrived at 50 ms, before D was stored at 60 ms: answered without it.
    const rd = d.response(1_000_000)!;
    expect(rd.chunk).toBeNull();
  });

  it("serialises one backer's responses in order of arrival on its uplink", () => {
    const { board } = setup({}, { [`0/${C}`]: 0 });
    const first = board.request(1, C, 0, 0);
    const second = board.request(2, C, 0, 0);
    const chunkUs = (CHUNK_BYTES * 8) / 100; // µs at 100 Mbit/s
    const a = first.response(2_000_000)!.atUs;
    const b = second.response(2_000_000)!.atUs;
    // Both requests arrive at ~50 ms; the second response waits for the first to leave.
    expect(b - a).toBeGreaterThanOrEqual(Math.floor(chunkUs) - 1);
    expect(a).toBeGreaterThanOrEqual(50_000 + chunkUs + 50_000);
  });

  it("gives the same answer whenever and however often it is asked", () => {
    const a = setup({ latencyMs: { mean: 50, jitter: 20 } }, { [`0/${C}`]: 0, [`3/${C}`]: 0 });
    const b = setup({ latencyMs: { mean: 50, jitter: 20 } }, { [`0/${C}`]: 0, [`3/${C}`]: 0 });
    const ra = [1, 2, 4, 5].map((v) => a.board.request(v, C, v % 2 === 0 ? 0 : 3, 1_000));
    const rb = [1, 2, 4, 5].map((v) => b.board.request(v, C, v % 2 === 0 ? 0 : 3, 1_000));
    const early = rb.map((r) => r.response(60_000));
    expect(early.every((r) => r === null)).toBe(true);
    const late = (rs: typeof ra) =>
      rs.map((r) => {
        const x = r.response(5_000_000);
        return x && { atUs: x.atUs, chunk: x.chunk };
      });
    expect(late([...rb].reverse()).reverse()).toEqual(late(ra));
  });

  it("loses requests and responses with the network's loss", () => {
    const { board } = setup({ loss: 1 }, { [`0/${C}`]: 0 });
    expect(board.request(1, C, 0, 0).response(10_000_000)).toBeNull();
  });

  it("puts a late-noticed request that arrived earlier ahead of later arrivals", () => {
    const { board } = setup({}, { [`0/${C}`]: 0 });
    const late = board.request(1, C, 0, 100_000); // arrives at 150 ms
    const early = board.request(2, C, 0, 0); // noticed after, but arrives at 50 ms
    const e = early.response(5_000_000)!.atUs;
    const l = late.response(5_000_000)!.atUs;
    expect(e).toBeLessThan(l);
  });
});
