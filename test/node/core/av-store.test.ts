/**
 * The availability store: a backer's store encodes the data and refuses a wrong erasure root;
 * `QueryChunk` answers any validator's chunk from the whole data, else only my own chunk;
 * `QueryAllChunks` gives what availability recovery reads locally.
 */
import { describe, expect, it } from "vitest";
import { AvailabilityStore } from "../../../src/node/core/av-store.ts";
import { availabilityChunkIndex, ErasureMemo } from "../../../src/primitives/erasure/encoding.ts";
import { header, makeCandidate } from "../fake-relay.ts";

const N = 4;
const c = makeCandidate({
  paraId: 2000,
  relayParent: header(1),
  parentHead: "0x00",
  headData: "0x01",
  povBytes: 1000,
  nValidators: N,
});
const data = { pov: c.pov, pvd: c.pvd, relayParent: c.receipt.descriptor.relayParent };
const expected = (erasureRoot = c.receipt.descriptor.erasureRoot) => ({
  nValidators: N,
  erasureRoot,
  core: 1,
  chunkMapping: true,
});

describe("AvailabilityStore", () => {
  it("stores a backer's data under the right root and serves every validator's mapped chunk", () => {
    const memo = new ErasureMemo();
    const store = new AvailabilityStore(memo, 0);
    expect(store.storeAvailableData(c.candidateHash, data, 10, expected())).toBe("Stored");
    const encoding = memo.encode(N, c.pov, c.pvd);
    if (!encoding.ok) throw new Error(encoding.error.code);
    for (let v = 0; v < N; v++) {
      const chunk = store.queryChunk(c.candidateHash, v, 10);
      expect(chunk?.index).toBe(availabilityChunkIndex(true, N, 1, v));
      expect(chunk?.chunk).toEqual(encoding.value.chunks[chunk!.index]);
    }
    // Not before it was stored.
    expect(store.queryChunk(c.candidateHash, 0, 9)).toBeUndefined();
    expect(store.queryAllChunks(c.candidateHash).map((x) => x.validatorIndex)).toEqual([
      0, 1, 2, 3,
    ]);
  });

  it("refuses data whose erasure root is not the descriptor's", () => {
    const store = new AvailabilityStore(new ErasureMemo(), 0);
    expect(
      store.storeAvailableData(c.candidateHash, data, 0, expected(`0x${"00".repeat(32)}`)),
    ).toBe("InvalidErasureRoot");
    expect(store.availableData(c.candidateHash)).toBeUndefined();
  });

  it("answers only my own chunk when it holds just that, from when it was stored", () => {
    const memo = new ErasureMemo();
    const backer = new AvailabilityStore(memo, 0);
    backer.storeAvailableData(c.candidateHash, data, 0, expected());
    const mine = backer.queryChunk(c.candidateHash, 2, 0)!;
    const store = new AvailabilityStore(memo, 2);
    store.storeChunk(c.candidateHash, mine, 500);
    expect(store.queryChunk(c.candidateHash, 2, 499)).toBeUndefined();
    expect(store.queryChunk(c.candidateHash, 2, 500)).toBe(mine);
    expect(store.queryChunk(c.candidateHash, 3, 500)).toBeUndefined();
    expect(store.queryAllChunks(c.candidateHash)).toEqual([{ validatorIndex: 2, chunk: mine }]);
  });
});
