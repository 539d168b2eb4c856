/**
 * Chunk fetch timeouts are grouped by deadline (one timer per distinct deadline, not one per
 * request) without changing when each fires: a request left unanswered moves on to the next
 * backer exactly `CHUNK_REQUEST_TIMEOUT_US` after it was sent; an answered one does not. Lazily
 * computed fetches (`env.chunkFetching`) make the same requests at the same times.
 */
import { describe, expect, it } from "vitest";
import { CHUNK_REQUEST_TIMEOUT_US } from "../../src/node/network/availability-distribution/requester.ts";
import { holdData, occupiedNetwork } from "../node/fake-network.ts";

/** The availability fixture with chunks as messages or lazily computed. v3 never answers. */
function fetchRun(lazyChunks: boolean, v3HasData = true) {
  const { world, nodes, blocks, P, Q } = occupiedNetwork({ lazyChunks });
  for (const i of v3HasData ? [2, 3] : [2]) for (const c of [P, Q]) holdData(nodes[i]!, c);
  if (v3HasData) world.drop = (m) => m.from === "v3" && m.msg.type === "ChunkFetchResponse";
  world.announceBlock(blocks[1]!);
  world.run(3_000_000);
  const requests = lazyChunks
    ? world.chunkRequests.map((r) => [r.at, r.from, r.to, r.candidateHash])
    : world.messages("ChunkFetchRequest").map((m) => [m.at, m.from, m.to, m.msg.candidateHash]);
  const chunks = [0, 1].map((v) =>
    [P, Q].map((c) => nodes[v]!.availability.chunkAvailability().hasChunk(c.candidateHash)),
  );
  return { world, nodes, P, Q, requests, chunks };
}

describe("chunk fetch timeouts", () => {
  it("each unanswered request times out at its own deadline; answered ones do not", () => {
    const { world, P, Q, chunks } = fetchRun(false);
    for (const requester of ["v0", "v1"]) {
      for (const c of [P, Q]) {
        const reqs = world.messages(
          "ChunkFetchRequest",
          (m) => m.from === requester && m.msg.candidateHash === c.candidateHash,
        );
        const first = reqs[0]!;
        if (first.to === "v2") {
          // Answered at once: no second request, ever.
          expect(reqs).toHaveLength(1);
        } else {
          // v3 ignored it: v2 is asked exactly one timeout later.
          expect(reqs.map((m) => m.to)).toEqual(["v3", "v2"]);
          expect(reqs[1]!.at - first.at).toBe(CHUNK_REQUEST_TIMEOUT_US);
        }
      }
    }
    expect(chunks).toEqual([
      [true, true],
      [true, true],
    ]);
    // The seed gives both orders among the four fetches.
    const firstTargets = world
      .messages("ChunkFetchRequest")
      .filter((m) => m.at < 500_000)
      .map((m) => m.to);
    expect(new Set(firstTargets)).toEqual(new Set(["v2", "v3"]));
  });
});

describe("lazily computed chunk fetches", () => {
  it("make the same requests at the same times as request and response messages", () => {
    const eager = fetchRun(false);
    const lazy = fetchRun(true);
    expect(lazy.requests).toEqual(eager.requests);
    expect(lazy.chunks).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(lazy.world.messages("ChunkFetchRequest")).toEqual([]);
    // Some fetch timed out on v3 and moved on to v2 one timeout later.
    expect(lazy.requests.some((r) => r[2] === "v3")).toBe(true);
  });

  it("move on to the next backer as soon as a backer answers without the data", () => {
    const eager = fetchRun(false, false);
    const lazy = fetchRun(true, false);
    expect(lazy.requests).toEqual(eager.requests);
    const toV3 = lazy.requests.filter((r) => r[2] === "v3");
    expect(toV3.length).toBeGreaterThan(0);
    for (const r of toV3) {
      // The "no chunk" answer arrives 2 latencies after the request: v2 is asked then.
      const retry = lazy.requests.find((x) => x[1] === r[1] && x[3] === r[3] && x[2] === "v2")!;
      expect(retry[0]).toBe((r[0] as number) + 2 * lazy.world.latencyUs);
    }
    expect(lazy.chunks).toEqual(eager.chunks);
  });
});
