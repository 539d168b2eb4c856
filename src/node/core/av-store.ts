/**
 * The availability store of one validator: the whole available data (PoV and PVD) of the
 * candidates it backed, with their erasure chunks, and its own chunk of the others.
 *
 * - A backer stores the full available data after validating a candidate (backing's
 *   `make_pov_available`): the store erasure-codes it among the session's validators
 *   (`obtain_chunks_v1`, `branches`), refuses it when the root is not the descriptor's
 *   (`StoreAvailableDataError::InvalidErasureRoot`, which backing takes as an invalid candidate),
 *   and holds every chunk, each validator's at its mapped chunk index (`availability_chunk_index`).
 *   The encoding is computed once per candidate and shared (`ErasureMemo`, SEMANTICS.md 5.7).
 * - A validator outside the backing group stores the chunk availability distribution fetched
 *   (and checked) for it.
 * - Every query is pure: what the store holds now. (With the simulator's lazily computed chunk
 *   fetches, availability distribution settles a fetch before the store is asked about it: see
 *   `node/network/availability-distribution`.)
 * - Stored data is kept for `KEEP_BLOCKS` relay blocks after it was last needed (a modelling
 *   bound: av-store keeps it until finality plus a keep period).
 *
 * Ref: polkadot/node/core/av-store/src/lib.rs (store_available_data, store_chunk,
 *      QueryChunkAvailability, QueryAvailableData, pruning).
 */
import type {
  BlockNumber,
  CandidateHash,
  CoreIndex,
  ValidatorIndex,
} from "../../primitives/codecs.ts";
import {
  availabilityChunkIndex,
  type ErasureChunk,
  type ErasureEncoding,
  ErasureMemo,
} from "../../primitives/erasure/encoding.ts";
import type {
  AvailabilityStoreMessage,
  AvailableData,
  ExpectedErasure,
  StoredChunk,
} from "../subsystem-types.ts";

/** How long (relay blocks) stored data outlives its last use (modelling bound, see header). */
export const KEEP_BLOCKS = 10;
/** How often (relay blocks) the store looks for data to forget. */
export const PRUNE_EVERY = 5;

interface StoredFull {
  readonly data: AvailableData;
  readonly encoding: ErasureEncoding;
  readonly core: CoreIndex;
  readonly chunkMapping: boolean;
  /** When it was stored, µs. */
  readonly storedAtUs: number;
  lastNeeded: BlockNumber;
}

export class AvailabilityStore implements AvailabilityStoreMessage {
  private readonly full = new Map<CandidateHash, StoredFull>();
  private readonly chunks = new Map<CandidateHash, StoredChunk>();
  private currentBlock: BlockNumber = 0;
  private nextPrune: BlockNumber = 0;

  constructor(
    /** The shared erasure encodings (a store built alone computes its own). */
    private readonly erasure: ErasureMemo = new ErasureMemo(),
    /** My validator index (my own chunk is answered to requests for it); null: none. */
    private readonly me: ValidatorIndex | null = null,
  ) {}

  /**
   * `StoreAvailableData` at `atUs`: erasure-codes the data among `nValidators`, checks the root
   * against `expectedErasureRoot`, and holds the data and every chunk. `InvalidErasureRoot` (or an
   * encoding error) stores nothing.
   */
  storeAvailableData(
    candidateHash: CandidateHash,
    data: AvailableData,
    atUs: number,
    expected: ExpectedErasure,
  ): "Stored" | "InvalidErasureRoot" {
    if (this.full.has(candidateHash)) return "Stored";
    const encoding = this.erasure.encode(expected.nValidators, data.pov, data.pvd);
    if (!encoding.ok || encoding.value.root !== expected.erasureRoot) return "InvalidErasureRoot";
    this.full.set(candidateHash, {
      data,
      encoding: encoding.value,
      core: expected.core,
      chunkMapping: expected.chunkMapping,
      storedAtUs: atUs,
      lastNeeded: this.currentBlock,
    });
    return "Stored";
  }

  /**
   * `StoreChunk`: my own chunk of a candidate. Returns the stored entry, which the caller may
   * hand back to `touch` (saving the lookup in the big chunk map).
   */
  storeChunk(candidateHash: CandidateHash, chunk: ErasureChunk, atUs = 0): StoredChunk {
    let c = this.chunks.get(candidateHash);
    if (c === undefined) {
      c = { chunk, storedAtUs: atUs, lastNeeded: this.currentBlock };
      this.chunks.set(candidateHash, c);
    }
    return c;
  }

  /**
   * `QueryChunk(candidate, validator_index)` as of `atUs`: the chunk validator `v` holds, from the
   * whole data if it was stored by then (a backer serves every validator's chunk), else my own
   * stored chunk when `v` is me (what availability recovery asks every validator for).
   */
  queryChunk(
    candidateHash: CandidateHash,
    validatorIndex: ValidatorIndex,
    atUs: number,
  ): ErasureChunk | undefined {
    const f = this.full.get(candidateHash);
    if (f === undefined || f.storedAtUs > atUs) {
      const own = validatorIndex === this.me ? this.chunks.get(candidateHash) : undefined;
      return own !== undefined && own.storedAtUs <= atUs ? own.chunk : undefined;
    }
    const n = f.encoding.nValidators;
    if (validatorIndex >= n) return undefined;
    return f.encoding.erasureChunk(
      availabilityChunkIndex(f.chunkMapping, n, f.core, validatorIndex),
    );
  }

  /**
   * `QueryAllChunks`: the chunks held, with the validator each belongs to: every validator's of a
   * candidate whose whole data is stored, else my own (availability recovery's local chunks).
   */
  queryAllChunks(
    candidateHash: CandidateHash,
  ): readonly { readonly validatorIndex: ValidatorIndex; readonly chunk: ErasureChunk }[] {
    const f = this.full.get(candidateHash);
    if (f !== undefined) {
      const n = f.encoding.nValidators;
      return Array.from({ length: n }, (_, v) => ({
        validatorIndex: v,
        chunk: f.encoding.erasureChunk(availabilityChunkIndex(f.chunkMapping, n, f.core, v)),
      }));
    }
    const own = this.chunks.get(candidateHash);
    return own === undefined || this.me === null
      ? []
      : [{ validatorIndex: this.me, chunk: own.chunk }];
  }

  /** `QueryChunkAvailability` for my chunk. */
  hasChunk(candidateHash: CandidateHash): boolean {
    return this.full.has(candidateHash) || this.chunks.has(candidateHash);
  }

  /** When the whole data of a candidate was stored here, µs; undefined if it is not held. */
  availableDataStoredAt(candidateHash: CandidateHash): number | undefined {
    return this.full.get(candidateHash)?.storedAtUs;
  }

  /** `QueryAvailableData`. */
  availableData(candidateHash: CandidateHash): AvailableData | undefined {
    return this.full.get(candidateHash)?.data;
  }

  /** Notes that the candidate is still needed at `block` (it occupies a core there). */
  touch(candidateHash: CandidateHash, block: BlockNumber, chunk?: StoredChunk | null): void {
    // The full data map is small (my group's candidates); my chunk's entry may be passed by the
    // fetch that stored it (null: not fetched yet), saving the lookup in the big chunk map.
    const f = this.full.get(candidateHash);
    if (f !== undefined) f.lastNeeded = Math.max(f.lastNeeded, block);
    const c = chunk === undefined ? this.chunks.get(candidateHash) : chunk;
    if (c != null) c.lastNeeded = Math.max(c.lastNeeded, block);
  }

  /**
   * Moves the store's clock to `block` and forgets data unused for `KEEP_BLOCKS` blocks, looking
   * every `PRUNE_EVERY` blocks (so data is kept `KEEP_BLOCKS` to `KEEP_BLOCKS + PRUNE_EVERY - 1`
   * blocks: a store holds ~1,000 chunks at 100 paras, not worth walking on every block).
   */
  advance(block: BlockNumber): void {
    this.currentBlock = Math.max(this.currentBlock, block);
    if (this.currentBlock < this.nextPrune) return;
    this.nextPrune = this.currentBlock + PRUNE_EVERY;
    const horizon = this.currentBlock - KEEP_BLOCKS;
    for (const [h, f] of this.full) if (f.lastNeeded < horizon) this.full.delete(h);
    for (const [h, c] of this.chunks) if (c.lastNeeded < horizon) this.chunks.delete(h);
  }

  get size(): { readonly full: number; readonly chunks: number } {
    return { full: this.full.size, chunks: this.chunks.size };
  }
}
