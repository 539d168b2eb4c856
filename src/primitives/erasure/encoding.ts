/**
 * A candidate's erasure coding as the availability store computes it when a backer stores the
 * available data (`obtain_chunks_v1(n, data)` and `branches(chunks)`): the `n` chunks, the erasure
 * root and each chunk's proof; and the chunk-index mapping of availability distribution.
 *
 * `ErasureMemo` computes one encoding per distinct (n, PoV, PVD) and hands the same object to every
 * node that asks (SEMANTICS.md 5.7 "Memoise obtain_chunks ... once per (candidate, n)"): encoding is
 * deterministic, so sharing it changes no result, only the work. Entries unused for
 * `KEEP_RELAY_BLOCKS` relay blocks are forgotten (`advance`).
 *
 * Ref: polkadot/node/core/av-store/src/lib.rs (store_available_data: obtain_chunks_v1, branches,
 *      the root check), polkadot/node/subsystem-util/src/availability_chunks.rs
 *      (availability_chunk_index).
 */
import type { Hash } from "../../lib/hex.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import type { PersistedValidationData } from "../codecs.ts";
import { availableDataPayload, type PovSummary } from "./available-data.ts";
import { type ErasureError, obtainChunks, systematicRecoveryThreshold } from "./codec.ts";
import { branches, isChunkValid } from "./trie.ts";

/** `ErasureChunk`: a chunk, its index and its proof, as a chunk response carries it. */
export interface ErasureChunk {
  /** The chunk index (not the validator index: with the chunk mapping they differ). */
  readonly index: number;
  readonly chunk: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/** SCALE size of a compact length prefix. */
function compactBytes(n: number): number {
  return n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : n < 1 << 30 ? 4 : 5;
}

/** The encoded size of an `ErasureChunk` (`chunk: Vec<u8>`, `index: u32`, `proof: Vec<Vec<u8>>`), bytes. */
export function erasureChunkBytes(c: ErasureChunk): number {
  let proof = compactBytes(c.proof.length);
  for (const node of c.proof) proof += compactBytes(node.length) + node.length;
  return compactBytes(c.chunk.length) + c.chunk.length + 4 + proof;
}

export interface ErasureEncoding {
  readonly nValidators: number;
  /** The erasure root (`CandidateDescriptor.erasure_root` of an honest candidate). */
  readonly root: Hash;
  /** The chunks, by chunk index. */
  readonly chunks: readonly Uint8Array[];
  /** Chunk `i`'s proof: the trie nodes from the root to its leaf. */
  proof(chunkIndex: number): readonly Uint8Array[];
  /** The payload's length (the SCALE-encoded `AvailableData`), bytes. */
  readonly payloadBytes: number;
  /** Chunk `i` with its index and proof (the same object on every call). */
  erasureChunk(chunkIndex: number): ErasureChunk;
}

/** `obtain_chunks_v1` and `branches` of a candidate's available data (no memo). */
export function encodeAvailableData(
  nValidators: number,
  pov: PovSummary,
  pvd: PersistedValidationData,
  /** Told of each chunk object made, with the root its proof leads to. */
  made?: (chunk: ErasureChunk, root: Hash) => void,
): Result<ErasureEncoding, ErasureError> {
  const payload = availableDataPayload(pov, pvd);
  const chunks = obtainChunks(nValidators, payload);
  if (!chunks.ok) return err(chunks.error);
  const tree = branches(chunks.value);
  const objects: (ErasureChunk | undefined)[] = [];
  return ok({
    nValidators,
    root: tree.root,
    chunks: chunks.value,
    proof: (i) => tree.proof(i),
    payloadBytes: payload.length,
    erasureChunk: (i) => {
      let c = objects[i];
      if (c === undefined) {
        c = { index: i, chunk: chunks.value[i]!, proof: tree.proof(i) };
        objects[i] = c;
        made?.(c, tree.root);
      }
      return c;
    },
  });
}

/**
 * `availability_chunk_index`: the chunk validator `v` holds of a candidate on `core`. With the
 * `AvailabilityChunkMapping` node feature, `(core * k + v) % n` (k: the systematic recovery
 * threshold), so that the systematic chunks of different cores sit with different validators;
 * without it, the validator index.
 */
export function availabilityChunkIndex(
  mappingEnabled: boolean,
  nValidators: number,
  coreIndex: number,
  validatorIndex: number,
): number {
  if (!mappingEnabled) return validatorIndex;
  const k = systematicRecoveryThreshold(nValidators);
  // n <= 1 has no systematic threshold: its only chunk index is 0.
  if (!k.ok) return validatorIndex;
  return (coreIndex * k.value + validatorIndex) % nValidators;
}

/** Relay blocks an unused encoding is kept (a modelling bound, as av-store's pruning is). */
export const KEEP_RELAY_BLOCKS = 20;

interface Entry {
  readonly encoding: Result<ErasureEncoding, ErasureError>;
  lastUsed: number;
}

/**
 * One encoding per distinct (n, PoV, PVD), shared by whoever asks (see the header), and the chunk
 * check of availability distribution over it: `is_chunk_valid` (the proof leads from the root to
 * the chunk's blake2 hash) is run for real on any chunk, except that a chunk object this memo's
 * own encoder made under that very root is known valid without rehashing it (its proof was built
 * from those bytes; the answer is the one the real check gives). A chunk anybody else built, or
 * presented under another root, is checked for real.
 */
export class ErasureMemo {
  private readonly entries = new Map<string, Entry>();
  private readonly madeUnder = new WeakMap<ErasureChunk, Hash>();
  private block = 0;
  private computed = 0;

  constructor(
    /** Told of each encoding computed (observation only: the benchmark's erasure floor). */
    private readonly onEncoded?: (nValidators: number, payloadBytes: number) => void,
  ) {}

  /** `is_chunk_valid(root, chunk)` (see the class comment). */
  isChunkValid(root: Hash, chunk: ErasureChunk): boolean {
    if (this.madeUnder.get(chunk) === root) return true;
    return isChunkValid(root, chunk.proof, chunk.index, chunk.chunk);
  }

  encode(
    nValidators: number,
    pov: PovSummary,
    pvd: PersistedValidationData,
  ): Result<ErasureEncoding, ErasureError> {
    const key = `${nValidators}|${pov.hash}|${pov.sizeBytes}|${pvd.parentHead}|${pvd.relayParentNumber}|${pvd.relayParentStorageRoot}|${pvd.maxPovSize}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      const encoding = encodeAvailableData(nValidators, pov, pvd, (c, root) =>
        this.madeUnder.set(c, root),
      );
      e = { encoding, lastUsed: this.block };
      this.entries.set(key, e);
      this.computed++;
      if (encoding.ok) this.onEncoded?.(nValidators, encoding.value.payloadBytes);
    }
    e.lastUsed = this.block;
    return e.encoding;
  }

  /** Moves to relay block `block`, forgetting encodings unused for `KEEP_RELAY_BLOCKS`. */
  advance(block: number): void {
    this.block = Math.max(this.block, block);
    const horizon = this.block - KEEP_RELAY_BLOCKS;
    for (const [key, e] of this.entries) if (e.lastUsed < horizon) this.entries.delete(key);
  }

  /** Encodings computed so far (each distinct candidate once). */
  get encodings(): number {
    return this.computed;
  }
}
