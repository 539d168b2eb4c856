/**
 * Availability recovery over a fake network: which strategy is taken when, what a chunk must be
 * to count, Invalid and Unavailable, the LRU cache, joined recoveries, and the fast path (a
 * reconstruction from the memo's own chunks) against a real decoding. Small n (7, 10, 13) and
 * small PoVs. The codec's `reconstruct` and `reconstructFromSystematic` are wrapped in spies so
 * the tests can tell a real decoding from the fast path.
 */
import { Bytes } from "scale-ts";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PoV } from "../../src/actors/protocol.ts";
import { toHex } from "../../src/lib/hex.ts";
import { Prng } from "../../src/lib/prng.ts";
import {
  AvailabilityRecovery,
  type ChunkResponse,
  CONSERVATIVE_FETCH_CHUNKS_THRESHOLD,
  type LocalChunk,
  LRU_SIZE,
  type RecoveryNetwork,
  type RecoveryStore,
} from "../../src/node/network/availability-recovery/recovery.ts";
import {
  isUnavailable,
  N_PARALLEL,
  REGULAR_CHUNKS_REQ_RETRY_LIMIT,
  regularDesiredRequestCount,
  systematicDesiredRequestCount,
} from "../../src/node/network/availability-recovery/strategies.ts";
import type {
  AvailableData,
  RecoveryRequest,
  RecoveryResult,
} from "../../src/node/subsystem-types.ts";
import type { PersistedValidationData } from "../../src/primitives/codecs.ts";
import { povBlockData } from "../../src/primitives/erasure/available-data.ts";
import * as codec from "../../src/primitives/erasure/codec.ts";
import { recoveryThreshold } from "../../src/primitives/erasure/codec.ts";
import {
  availabilityChunkIndex,
  type ErasureChunk,
  type ErasureEncoding,
  ErasureMemo,
} from "../../src/primitives/erasure/encoding.ts";
import { branches } from "../../src/primitives/erasure/trie.ts";
import { hashBytes } from "../../src/primitives/hashing.ts";

vi.mock("../../src/primitives/erasure/codec.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/primitives/erasure/codec.ts")>();
  return {
    ...actual,
    reconstruct: vi.fn(actual.reconstruct),
    reconstructFromSystematic: vi.fn(actual.reconstructFromSystematic),
  };
});

const reconstructSpy = vi.mocked(codec.reconstruct);
const systematicSpy = vi.mocked(codec.reconstructFromSystematic);

beforeEach(() => {
  reconstructSpy.mockClear();
  systematicSpy.mockClear();
});

const PVD: PersistedValidationData = {
  parentHead: "0x0102",
  relayParentNumber: 7,
  relayParentStorageRoot: `0x${"ab".repeat(32)}`,
  maxPovSize: 5 * 1024 * 1024,
};
const RELAY_PARENT = `0x${"cd".repeat(32)}`;
const CANDIDATE = `0x${"c0".repeat(32)}`;

function pov(byte: string, sizeBytes = 200): PoV {
  return { hash: `0x${byte.repeat(32)}`, sizeBytes, blockData: { paraBlock: byte } };
}

interface Candidate {
  readonly n: number;
  readonly memo: ErasureMemo;
  readonly data: AvailableData;
  readonly encoding: ErasureEncoding;
  /** Validator v's chunk (the memo's own object). */
  chunkOf(v: number): ErasureChunk;
  request(over?: Partial<RecoveryRequest>): RecoveryRequest;
}

function candidate(
  n: number,
  opts: { byte?: string; mapping?: boolean; core?: number | null; memo?: ErasureMemo } = {},
): Candidate {
  const memo = opts.memo ?? new ErasureMemo();
  const data: AvailableData = { pov: pov(opts.byte ?? "11"), pvd: PVD, relayParent: RELAY_PARENT };
  const encoding = memo.encode(n, data.pov, data.pvd);
  if (!encoding.ok) throw new Error(encoding.error.code);
  const mapping = opts.mapping ?? false;
  const core = opts.core ?? null;
  return {
    n,
    memo,
    data,
    encoding: encoding.value,
    chunkOf: (v) => encoding.value.erasureChunk(availabilityChunkIndex(mapping, n, core ?? 0, v)),
    request: (over = {}) => ({
      candidateHash: CANDIDATE,
      erasureRoot: encoding.value.root,
      povHash: data.pov.hash,
      relayParent: RELAY_PARENT,
      nValidators: n,
      backingGroup: null,
      coreIndex: core,
      chunkMapping: mapping,
      ...over,
    }),
  };
}

/** The same chunk, as bytes someone else holds (a different object). */
function copy(c: ErasureChunk): ErasureChunk {
  return { index: c.index, chunk: c.chunk.slice(), proof: c.proof.map((p) => p.slice()) };
}

/** The chunk with one byte flipped, its proof unchanged (fails the chunk check). */
function corrupt(c: ErasureChunk): ErasureChunk {
  const chunk = c.chunk.slice();
  chunk[0] = chunk[0]! ^ 0xff;
  return { index: c.index, chunk, proof: c.proof };
}

interface Serve {
  full?: (from: number, call: number) => AvailableData | null;
  chunk?: (from: number, validatorIndex: number, call: number) => ChunkResponse;
}

/** Answers at once, or (async) when flushed. Logs `full <from>` and `chunk <from>:<validator>`. */
class FakeNetwork implements RecoveryNetwork {
  readonly log: string[] = [];
  private readonly queue: (() => void)[] = [];
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly serve: Serve,
    private readonly async = false,
  ) {}

  private answer(entry: string, reply: (call: number) => void): void {
    this.log.push(entry);
    const call = (this.calls.get(entry) ?? 0) + 1;
    this.calls.set(entry, call);
    if (this.async) this.queue.push(() => reply(call));
    else reply(call);
  }

  requestFull(_h: string, from: number, then: (d: AvailableData | null) => void): void {
    this.answer(`full ${from}`, (call) => then(this.serve.full?.(from, call) ?? null));
  }

  requestChunk(_h: string, from: number, v: number, then: (r: ChunkResponse) => void): void {
    this.answer(`chunk ${from}:${v}`, (call) => then(this.serve.chunk?.(from, v, call) ?? null));
  }

  flush(): void {
    while (this.queue.length > 0) this.queue.shift()!();
  }
}

/** Validators serve their own chunk, backers anyone's. */
function honest(c: Candidate, backers: readonly number[] = []) {
  return (from: number, v: number): ChunkResponse =>
    from === v || backers.includes(from) ? c.chunkOf(v) : "NoSuchChunk";
}

function fakeStore(opts: { data?: AvailableData; chunks?: readonly LocalChunk[] } = {}) {
  const store = {
    dataQueries: 0,
    availableData(): AvailableData | undefined {
      store.dataQueries++;
      return opts.data;
    },
    queryAllChunks: (): readonly LocalChunk[] => opts.chunks ?? [],
  };
  return store satisfies RecoveryStore;
}

function subsystem(
  network: RecoveryNetwork,
  memo: ErasureMemo,
  store: RecoveryStore = fakeStore(),
  fetchChunksThreshold?: number,
  seed = 1,
): AvailabilityRecovery {
  const rng = Prng.fromSeed(seed).fork("availability-recovery");
  return new AvailabilityRecovery({
    network,
    store,
    erasure: memo,
    rng,
    ...(fetchChunksThreshold === undefined ? {} : { fetchChunksThreshold }),
  });
}

function recover(sub: AvailabilityRecovery, request: RecoveryRequest): RecoveryResult[] {
  const results: RecoveryResult[] = [];
  sub.recoverAvailableData(request, (r) => results.push(r));
  return results;
}

/** The data of a Valid result (fails the test otherwise). */
function valid(results: readonly RecoveryResult[]): AvailableData {
  expect(results.map((r) => r.kind)).toEqual(["Valid"]);
  const r = results[0]!;
  if (r.kind !== "Valid") throw new Error("unreachable");
  return r.data;
}

/** The recovered data is the candidate's: PoV hash, size and bytes, PVD, relay parent. */
function expectRecovered(got: AvailableData, want: AvailableData): void {
  expect(got.pov.hash).toBe(want.pov.hash);
  expect(got.pov.sizeBytes).toBe(want.pov.sizeBytes);
  expect(got.pvd).toEqual(want.pvd);
  expect(got.relayParent).toBe(want.relayParent);
  if (got.pov.blockData instanceof Uint8Array) {
    expect(toHex(got.pov.blockData)).toBe(toHex(povBlockData(want.pov)));
  } else {
    expect(got.pov).toBe(want.pov);
  }
}

/** Validators asked for chunks, in order, as `from:validator`. */
const chunkRequests = (log: readonly string[]) =>
  log.filter((e) => e.startsWith("chunk ")).map((e) => e.slice(6));

describe("availability recovery: the pure rules", () => {
  it("is_unavailable (test_is_unavailable)", () => {
    expect(isUnavailable(0, 0, 0, 0)).toBe(false);
    expect(isUnavailable(2, 2, 2, 0)).toBe(false);
    expect(isUnavailable(3, 0, 10, 3)).toBe(false);
    expect(isUnavailable(3, 2, 0, 3)).toBe(false);
    expect(isUnavailable(3, 2, 10, 3)).toBe(false);
    expect(isUnavailable(0, 0, 10, 3)).toBe(false);
    expect(isUnavailable(0, 0, 3, 3)).toBe(false);
    expect(isUnavailable(1, 1, 1, 3)).toBe(false);
    expect(isUnavailable(0, 0, 0, 3)).toBe(true);
    expect(isUnavailable(2, 3, 2, 10)).toBe(true);
  });

  it("FetchChunks::get_desired_request_count (test_get_desired_request_count)", () => {
    const threshold = recoveryThreshold(100);
    expect(threshold).toBe(34);
    expect(N_PARALLEL).toBe(50);
    expect(regularDesiredRequestCount(0, threshold, 0, 0)).toBe(threshold);
    // error 1 of 1: saturates at the threshold, then at N_PARALLEL.
    expect(regularDesiredRequestCount(0, threshold, 1, 1)).toBe(threshold);
    expect(regularDesiredRequestCount(0, N_PARALLEL + 2, 1, 1)).toBe(N_PARALLEL);
    expect(regularDesiredRequestCount(1, threshold, 2, 1)).toBe(threshold);
    // error rate 1/10, 25 chunks missing: 25 + 25 / 10 = 27.
    expect(regularDesiredRequestCount(9, threshold, 10, 1)).toBe(27);
    expect(regularDesiredRequestCount(9, N_PARALLEL + 9, 10, 1)).toBe(N_PARALLEL);
    expect(regularDesiredRequestCount(10, threshold, 10, 0)).toBe(threshold - 10);
  });

  it("FetchSystematicChunks::get_desired_request_count", () => {
    const k = 64; // systematic_recovery_threshold(100)
    expect(systematicDesiredRequestCount(0, k)).toBe(N_PARALLEL);
    expect(systematicDesiredRequestCount(0, 32)).toBe(32);
    expect(systematicDesiredRequestCount(5, 32)).toBe(27);
    expect(systematicDesiredRequestCount(200, k)).toBe(0);
    expect(systematicDesiredRequestCount(0, N_PARALLEL * 2)).toBe(N_PARALLEL);
    expect(systematicDesiredRequestCount(N_PARALLEL, N_PARALLEL + 2)).toBe(2);
  });
});

describe("availability recovery: which strategy", () => {
  it("answers from the local full data without a request (and unchecked, as Rust)", () => {
    const c = candidate(7);
    const net = new FakeNetwork({ chunk: honest(c) });
    const sub = subsystem(net, c.memo, fakeStore({ data: c.data }));
    const got = valid(recover(sub, c.request({ backingGroup: [4, 5, 6] })));
    expect(got).toBe(c.data);
    expect(net.log).toEqual([]);
  });

  it("fetches the full data from a backer when the PoV is small, and nothing else", () => {
    const c = candidate(7);
    const backers = [4, 5, 6];
    const net = new FakeNetwork({ full: () => c.data, chunk: honest(c, backers) });
    const store = fakeStore({ chunks: [{ validatorIndex: 0, chunk: c.chunkOf(0) }] });
    const got = valid(recover(subsystem(net, c.memo, store), c.request({ backingGroup: backers })));
    expect(got).toBe(c.data);
    expect(net.log).toHaveLength(1);
    expect(net.log[0]).toMatch(/^full [456]$/);
  });

  it("small means own chunk size * k strictly below fetch_chunks_threshold", () => {
    const c = candidate(7);
    const k = 2; // systematic_recovery_threshold(7)
    const estimate = c.chunkOf(0).chunk.length * k;
    expect(estimate).toBeLessThan(CONSERVATIVE_FETCH_CHUNKS_THRESHOLD);
    const fullRequests = (threshold: number): number => {
      const net = new FakeNetwork({ full: () => c.data, chunk: honest(c) });
      const store = fakeStore({ chunks: [{ validatorIndex: 0, chunk: c.chunkOf(0) }] });
      const sub = subsystem(net, c.memo, store, threshold);
      valid(recover(sub, c.request({ backingGroup: [4, 5, 6] })));
      return net.log.filter((e) => e.startsWith("full")).length;
    };
    expect(fullRequests(estimate)).toBe(0);
    expect(fullRequests(estimate + 1)).toBe(1);
  });

  it("does not ask the backers for the full data without a local chunk (size unknown)", () => {
    const c = candidate(7);
    const net = new FakeNetwork({ full: () => c.data, chunk: honest(c) });
    valid(recover(subsystem(net, c.memo), c.request({ backingGroup: [4, 5, 6] })));
    expect(net.log.some((e) => e.startsWith("full"))).toBe(false);
    expect(chunkRequests(net.log).length).toBeGreaterThanOrEqual(recoveryThreshold(7));
  });

  it("fetches the systematic chunks when the core is known and the mapping on", () => {
    // n = 13: k = 4, threshold 5; core 2: chunk (2 * 4 + v) % 13, below 4 for v = 5, 6, 7, 8.
    const c = candidate(13, { mapping: true, core: 2 });
    const net = new FakeNetwork({ chunk: honest(c) });
    const got = valid(recover(subsystem(net, c.memo), c.request()));
    expectRecovered(got, c.data);
    // Popped from the back of the validator-ordered list.
    expect(chunkRequests(net.log)).toEqual(["8:8", "7:7", "6:6", "5:5"]);
    expect(systematicSpy).toHaveBeenCalledTimes(1);
    expect(reconstructSpy).not.toHaveBeenCalled();
  });

  it("fetches regular chunks without the mapping or without the core", () => {
    for (const opts of [
      { mapping: false, core: 2 },
      { mapping: true, core: null },
    ]) {
      reconstructSpy.mockClear();
      const c = candidate(13, opts);
      const net = new FakeNetwork({ chunk: honest(c) });
      const got = valid(recover(subsystem(net, c.memo), c.request()));
      expectRecovered(got, c.data);
      const asked = chunkRequests(net.log);
      expect(asked).toHaveLength(recoveryThreshold(13)); // one round of threshold requests
      expect(new Set(asked).size).toBe(asked.length);
      for (const a of asked) expect(a).toMatch(/^(\d+):\1$/);
      expect(systematicSpy).not.toHaveBeenCalled();
      expect(reconstructSpy).toHaveBeenCalledTimes(1);
    }
  });

  it("skips a backer whose data does not re-encode to the root and asks the next", () => {
    const c = candidate(7);
    const backers = [4, 5, 6];
    const forged: AvailableData = { ...c.data, pvd: { ...PVD, relayParentNumber: 8 } };
    let answered = 0;
    const net = new FakeNetwork({
      full: () => (++answered === 1 ? forged : c.data), // the first backer asked lies
      chunk: honest(c, backers),
    });
    const store = fakeStore({ chunks: [{ validatorIndex: 0, chunk: c.chunkOf(0) }] });
    const got = valid(recover(subsystem(net, c.memo, store), c.request({ backingGroup: backers })));
    expect(got).toBe(c.data);
    expect(net.log).toHaveLength(2);
    expect(net.log[0]).not.toBe(net.log[1]);
    for (const e of net.log) expect(e).toMatch(/^full [456]$/);
  });

  it("falls back to chunks when no backer has the data", () => {
    const c = candidate(7);
    const backers = [4, 5, 6];
    const net = new FakeNetwork({ full: () => null, chunk: honest(c, backers) });
    const store = fakeStore({ chunks: [{ validatorIndex: 0, chunk: c.chunkOf(0) }] });
    const got = valid(recover(subsystem(net, c.memo, store), c.request({ backingGroup: backers })));
    expectRecovered(got, c.data);
    expect(net.log.slice(0, 3).sort()).toEqual(["full 4", "full 5", "full 6"]);
    // Our own chunk counts: two more are enough, and we do not ask ourselves.
    const asked = chunkRequests(net.log);
    expect(asked).toHaveLength(recoveryThreshold(7) - 1);
    expect(asked).not.toContain("0:0");
  });
});

describe("availability recovery: chunks", () => {
  it("does not count a chunk that fails the proof check, nor asks its sender again", () => {
    const c = candidate(7); // threshold 3
    const serveWithHonest = (honestOnes: readonly number[]) => (from: number, v: number) =>
      from !== v ? "NoSuchChunk" : honestOnes.includes(v) ? c.chunkOf(v) : corrupt(c.chunkOf(v));
    const few = new FakeNetwork({ chunk: serveWithHonest([0, 1]) });
    expect(recover(subsystem(few, c.memo), c.request())).toEqual([{ kind: "Unavailable" }]);
    // It stops once 3 chunks are out of reach (is_unavailable); nobody is asked twice.
    const asked = chunkRequests(few.log);
    expect(asked.length).toBeGreaterThanOrEqual(5);
    expect(new Set(asked).size).toBe(asked.length);
    const enough = new FakeNetwork({ chunk: serveWithHonest([0, 1, 2]) });
    expectRecovered(valid(recover(subsystem(enough, c.memo), c.request())), c.data);
  });

  it("asks again after a failed request, REGULAR_CHUNKS_REQ_RETRY_LIMIT times in all", () => {
    const c = candidate(7);
    expect(REGULAR_CHUNKS_REQ_RETRY_LIMIT).toBe(5);
    const serve = (answersOnCall: number) => (from: number, v: number, call: number) =>
      from !== v || v > 2 ? "NoSuchChunk" : v < 2 || call >= answersOnCall ? c.chunkOf(v) : null;
    const asks = (log: readonly string[], who: string) =>
      chunkRequests(log).filter((a) => a === who).length;
    // Validator 2 fails four times, then answers on the fifth request.
    const late = new FakeNetwork({ chunk: serve(5) });
    expectRecovered(valid(recover(subsystem(late, c.memo), c.request())), c.data);
    expect(asks(late.log, "2:2")).toBe(5);
    // Always failing: five requests, then Unavailable; "no such chunk" is never asked again.
    const never = new FakeNetwork({ chunk: serve(99) });
    expect(recover(subsystem(never, c.memo), c.request())).toEqual([{ kind: "Unavailable" }]);
    expect(asks(never.log, "2:2")).toBe(5);
    for (const v of [3, 4, 5, 6]) expect(asks(never.log, `${v}:${v}`)).toBe(1);
  });

  it("systematic: a missing chunk is asked of a backer", () => {
    const c = candidate(13, { mapping: true, core: 2 });
    const backers = [0, 1, 2];
    const net = new FakeNetwork({
      chunk: (from, v) => (from === 6 ? "NoSuchChunk" : honest(c, backers)(from, v)),
    });
    const got = valid(recover(subsystem(net, c.memo), c.request({ backingGroup: backers })));
    expectRecovered(got, c.data);
    expect(chunkRequests(net.log)).toEqual(["8:8", "7:7", "6:6", "5:5", "0:6"]);
    expect(systematicSpy).toHaveBeenCalledTimes(1);
  });

  it("systematic Unavailable (no backup) goes on with regular chunks, keeping what it got", () => {
    const c = candidate(13, { mapping: true, core: 2 });
    const net = new FakeNetwork({
      chunk: (from, v) => (from === 6 ? "NoSuchChunk" : honest(c)(from, v)),
    });
    const got = valid(recover(subsystem(net, c.memo), c.request()));
    expectRecovered(got, c.data);
    const asked = chunkRequests(net.log);
    expect(asked.slice(0, 4)).toEqual(["8:8", "7:7", "6:6", "5:5"]);
    // Once 6 has no chunk, 4 systematic chunks are out of reach: the strategy ends at once and
    // drops 5's answer, still in flight (as Rust drops the request). The regular strategy keeps
    // 8's and 7's chunks, asks for 3 more, and never asks 6 again (a fatal error).
    const regular = asked.slice(4);
    expect(regular).toHaveLength(recoveryThreshold(13) - 2);
    for (const a of regular) expect(["6:6", "7:7", "8:8"]).not.toContain(a);
    expect(systematicSpy).not.toHaveBeenCalled();
    expect(reconstructSpy).toHaveBeenCalledTimes(1);
  });

  it("a validator that had no chunk for the systematic strategy is not asked by the regular one", () => {
    const c = candidate(13, { mapping: true, core: 2 });
    // 6 has no chunk when first asked, but would answer a second request: asking it again
    // would reach the threshold of 5 (7, 8, 5, 0 and 6).
    const net = new FakeNetwork({
      chunk: (from, v, call) =>
        from !== v || (v === 6 && call === 1)
          ? "NoSuchChunk"
          : [0, 5, 6, 7, 8].includes(v)
            ? c.chunkOf(v)
            : "NoSuchChunk",
    });
    expect(recover(subsystem(net, c.memo), c.request())).toEqual([{ kind: "Unavailable" }]);
    expect(chunkRequests(net.log).filter((a) => a === "6:6")).toHaveLength(1);
    expect(chunkRequests(net.log)).toContain("0:0");
  });

  it("systematic is skipped when our own systematic chunk is invalid", () => {
    const c = candidate(13, { mapping: true, core: 2 });
    const firstBatch = (own: ErasureChunk): string[] => {
      const net = new FakeNetwork({ chunk: honest(c) }, true);
      const store = fakeStore({ chunks: [{ validatorIndex: 5, chunk: own }] });
      recover(subsystem(net, c.memo, store), c.request());
      return chunkRequests(net.log);
    };
    // Control: a valid own chunk (5 holds chunk 0) is kept, three systematic ones are asked.
    expect(firstBatch(c.chunkOf(5))).toEqual(["8:8", "7:7", "6:6"]);
    // Invalid: no systematic request, a regular round of 5 that does not ask us.
    const batch = firstBatch(corrupt(c.chunkOf(5)));
    expect(batch).toHaveLength(recoveryThreshold(13));
    expect(batch).not.toContain("5:5");
  });

  it("is Unavailable with too few holders, and tries again on the next request", () => {
    const c = candidate(10); // threshold 4
    const net = new FakeNetwork({
      chunk: (from, v) => (from === v && v < 3 ? c.chunkOf(v) : null),
    });
    const sub = subsystem(net, c.memo);
    expect(recover(sub, c.request())).toEqual([{ kind: "Unavailable" }]);
    const first = net.log.length;
    expect(first).toBeGreaterThan(0);
    expect(recover(sub, c.request())).toEqual([{ kind: "Unavailable" }]);
    expect(net.log.length).toBe(2 * first);
  });
});

describe("availability recovery: Invalid", () => {
  /** A root over chunks that are no codeword: the honest chunks with one changed. */
  function tampered(c: Candidate, changed: number): ErasureChunk[] {
    const chunks = c.encoding.chunks.map((x) => x.slice());
    chunks[changed]![0] = chunks[changed]![0]! ^ 0x5a;
    const tree = branches(chunks);
    return chunks.map((chunk, index) => ({ index, chunk, proof: tree.proof(index) }));
  }

  it("systematic: chunks proven under the root decode to data of another root; stops, cached", () => {
    const c = candidate(7, { mapping: true, core: 0 }); // k = 2; chunk v held by v
    const chunks = tampered(c, 6);
    const root = branches(chunks.map((x) => x.chunk)).root;
    expect(root).not.toBe(c.encoding.root);
    const net = new FakeNetwork({ chunk: (from, v) => (from === v ? chunks[v]! : "NoSuchChunk") });
    const sub = subsystem(net, c.memo);
    const request = c.request({ erasureRoot: root });
    expect(recover(sub, request)).toEqual([{ kind: "Invalid" }]);
    // The systematic chunks were valid and decoded; no regular strategy after Invalid.
    expect(chunkRequests(net.log)).toEqual(["1:1", "0:0"]);
    expect(systematicSpy).toHaveBeenCalledTimes(1);
    expect(recover(sub, request)).toEqual([{ kind: "Invalid" }]);
    expect(net.log).toHaveLength(2);
  });

  it("regular: whichever chunks are used, the data does not re-encode to the root", () => {
    const c = candidate(7); // threshold 3
    const chunks = tampered(c, 6);
    const root = branches(chunks.map((x) => x.chunk)).root;
    for (const holders of [
      [0, 1, 5],
      [0, 1, 6],
    ]) {
      const net = new FakeNetwork({
        chunk: (from, v) => (from === v && holders.includes(v) ? chunks[v]! : "NoSuchChunk"),
      });
      const results = recover(subsystem(net, c.memo), c.request({ erasureRoot: root }));
      expect(results).toEqual([{ kind: "Invalid" }]);
    }
    // With the honest root, the same untouched chunks recover the data.
    const net = new FakeNetwork({
      chunk: (from, v) => (from === v && [0, 1, 5].includes(v) ? c.chunkOf(v) : "NoSuchChunk"),
    });
    expectRecovered(valid(recover(subsystem(net, c.memo), c.request())), c.data);
  });
});

describe("availability recovery: what a reconstruction returns", () => {
  it("regular: the memo's own chunks skip decoding and give what decoding gives", () => {
    const c = candidate(10);
    const known = { knownData: c.data };
    const own = new FakeNetwork({ chunk: honest(c) });
    const fast = valid(recover(subsystem(own, c.memo), c.request(known)));
    expect(reconstructSpy).not.toHaveBeenCalled();
    expect(fast.pov).toBe(c.data.pov); // the known PoV, with its block
    // The same chunks as copies really decode, to the same answer.
    const copies = new FakeNetwork({
      chunk: (from, v) => copy(honest(c)(from, v) as ErasureChunk),
    });
    const slow = valid(recover(subsystem(copies, c.memo), c.request(known)));
    expect(reconstructSpy).toHaveBeenCalledTimes(1);
    expect(chunkRequests(copies.log)).toEqual(chunkRequests(own.log));
    expect(slow).toEqual(fast);
    expect(slow.pov).toBe(c.data.pov);
  });

  it("systematic: the same, through reconstruct_from_systematic", () => {
    const c = candidate(13, { mapping: true, core: 2 });
    const known = { knownData: c.data };
    const fast = valid(
      recover(subsystem(new FakeNetwork({ chunk: honest(c) }), c.memo), c.request(known)),
    );
    expect(systematicSpy).not.toHaveBeenCalled();
    const copies = new FakeNetwork({
      chunk: (from, v) => copy(honest(c)(from, v) as ErasureChunk),
    });
    const slow = valid(recover(subsystem(copies, c.memo), c.request(known)));
    expect(systematicSpy).toHaveBeenCalledTimes(1);
    expect(slow).toEqual(fast);
  });

  it("without known data: the decoded bytes under the receipt's PoV hash; a wrong hint changes nothing", () => {
    const c = candidate(10);
    const plain = valid(
      recover(subsystem(new FakeNetwork({ chunk: honest(c) }), c.memo), c.request()),
    );
    expect(reconstructSpy).toHaveBeenCalledTimes(1);
    expect(plain.pov.blockData).toBeInstanceOf(Uint8Array);
    expectRecovered(plain, c.data);
    const other = candidate(10, { byte: "22", memo: c.memo }).data;
    const hinted = valid(
      recover(
        subsystem(new FakeNetwork({ chunk: honest(c) }), c.memo),
        c.request({ knownData: other }),
      ),
    );
    expect(reconstructSpy).toHaveBeenCalledTimes(2);
    expect(hinted).toEqual(plain);
  });

  it("a PoV other than the receipt's: Valid (recovery checks the root), under the bytes' own hash", () => {
    const c = candidate(10);
    const receiptPov = `0x${"99".repeat(32)}`;
    const request = c.request({ povHash: receiptPov });
    const plain = valid(recover(subsystem(new FakeNetwork({ chunk: honest(c) }), c.memo), request));
    const bytes = povBlockData(c.data.pov);
    expect(plain.pov.hash).toBe(hashBytes(Bytes().enc(bytes)));
    expect(plain.pov.hash).not.toBe(receiptPov);
    expect(plain.pov.sizeBytes).toBe(c.data.pov.sizeBytes);
    expect(plain.pvd).toEqual(PVD);
    // The fast path (known data of that PoV, the memo's chunks) gives the same.
    reconstructSpy.mockClear();
    const fast = valid(
      recover(
        subsystem(new FakeNetwork({ chunk: honest(c) }), c.memo),
        c.request({ povHash: receiptPov, knownData: c.data }),
      ),
    );
    expect(reconstructSpy).not.toHaveBeenCalled();
    expect(fast).toEqual(plain);
  });
});

describe("availability recovery: cache and joined recoveries", () => {
  it("answers Valid again from the cache, without a request", () => {
    const c = candidate(7);
    const net = new FakeNetwork({ chunk: honest(c) });
    const sub = subsystem(net, c.memo);
    const first = valid(recover(sub, c.request()));
    const requests = net.log.length;
    expect(requests).toBeGreaterThan(0);
    expect(valid(recover(sub, c.request()))).toBe(first);
    expect(net.log.length).toBe(requests);
  });

  it(`keeps the ${LRU_SIZE} most recently used candidates`, () => {
    const c = candidate(7);
    const store = fakeStore({ data: c.data });
    const sub = subsystem(new FakeNetwork({}), c.memo, store);
    const hash = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;
    const ask = (i: number) => valid(recover(sub, c.request({ candidateHash: hash(i) })));
    for (let i = 0; i < LRU_SIZE; i++) ask(i);
    expect(store.dataQueries).toBe(LRU_SIZE);
    ask(0); // a hit: now the most recent
    expect(store.dataQueries).toBe(LRU_SIZE);
    ask(LRU_SIZE); // evicts 1, the least recently used
    expect(store.dataQueries).toBe(LRU_SIZE + 1);
    ask(0);
    expect(store.dataQueries).toBe(LRU_SIZE + 1);
    ask(1);
    expect(store.dataQueries).toBe(LRU_SIZE + 2);
  });

  it("joins a running recovery of the same candidate", () => {
    const c = candidate(10);
    const net = new FakeNetwork({ chunk: honest(c) }, true);
    const sub = subsystem(net, c.memo);
    const a = recover(sub, c.request());
    const b = recover(sub, c.request());
    expect(a).toEqual([]);
    expect(b).toEqual([]);
    expect(sub.ongoingRecoveries).toBe(1);
    expect(chunkRequests(net.log)).toHaveLength(recoveryThreshold(10));
    net.flush();
    expect(valid(b)).toBe(valid(a));
    expect(chunkRequests(net.log)).toHaveLength(recoveryThreshold(10));
    expect(sub.ongoingRecoveries).toBe(0);
  });

  it("the same seed asks the same validators in the same order; another seed does not", () => {
    const c = candidate(13);
    const order = (seed: number) => {
      const net = new FakeNetwork({ chunk: honest(c) });
      valid(recover(subsystem(net, c.memo, fakeStore(), undefined, seed), c.request()));
      return net.log;
    };
    expect(order(7)).toEqual(order(7));
    expect(order(7)).not.toEqual(order(8));
  });

  it("an n the erasure code refuses is Unavailable", () => {
    const c = candidate(7);
    const net = new FakeNetwork({ chunk: honest(c) });
    const results = recover(subsystem(net, c.memo), c.request({ nValidators: 1 }));
    expect(results).toEqual([{ kind: "Unavailable" }]);
    expect(net.log).toEqual([]);
  });
});
