/**
 * Polkadot's erasure coding of a candidate's available data: `obtain_chunks` cuts the
 * SCALE-encoded `AvailableData` into one chunk per validator, `reconstruct` gets it back from any
 * k of them, `reconstruct_from_systematic` from chunks 0..k-1 without field arithmetic. The code
 * is novelpoly's (`novelpoly.ts`) with k = `recovery_threshold(n)` rounded down and n' = n rounded
 * up to powers of two (`codeParams`); for instance n = 10: k 4, n' 16; n = 300: k 64, n' 512;
 * n = 1000: k 256, n' 1024.
 *
 * Works on bytes: the caller SCALE-encodes the payload, and decodes what `reconstruct` returns
 * (k * shard_len bytes: the payload, then zero padding, which `Decode::decode` ignores). So a
 * failure to decode (`BadPayload` in Rust) is the caller's to report; here `BadPayload` is only
 * the empty payload. Expected failures are `ErasureError` values named as polkadot's `Error`.
 *
 * Follows the Rust line by line, check order included: `recovery_threshold`'s checks,
 * `code_params` (its own error mapping: WantedShardCountTooHigh -> TooManyValidators,
 * WantedShardCountTooLow -> NotEnoughValidators, anything else -> UnknownCodeParam),
 * `systematic_recovery_threshold`, `obtain_chunks`, `reconstruct` (reads at most n items, then
 * novelpoly's errors mapped as Rust maps them) and `reconstruct_from_systematic`.
 * Where spec/SEMANTICS.md §5.1 differs, the Rust decides:
 * - `reconstruct` checks evenness on the FIRST chunk's length only: a later chunk of odd length
 *   differs from the first and is `NonUniformChunks`, not `UnevenLength`;
 * - `code_params` maps novelpoly's errors with the mapping above, not `reconstruct`'s;
 * - `reconstruct_from_systematic` checks, in order: no chunk (NotEnoughChunks), a zero-length
 *   first chunk or unequal lengths (NonUniformChunks), odd length (UnevenLength), fewer than k
 *   chunks (NotEnoughChunks).
 * Byte equality of the chunks with polkadot's is UNVERIFIED: no Rust ran here; they equal those
 * of novelpoly's bundled C reference (see `novelpoly.ts`).
 * The erasure root and chunk proofs (`branches`, `branch_hash`) are not here.
 *
 * Ref: polkadot/erasure-coding/src/lib.rs (paritytech/polkadot-sdk).
 */
import type { Result } from "../../lib/result.ts";
import { err, ok } from "../../lib/result.ts";
import { FIELD_SIZE } from "./field.ts";
import {
  type CodeParams,
  deriveParameters,
  makeEncoder,
  type NovelpolyError,
} from "./novelpoly.ts";

export type { CodeParams } from "./novelpoly.ts";

/** `MAX_VALIDATORS`: the field order of GF(2^16). */
export const MAX_VALIDATORS = FIELD_SIZE;

/** polkadot's `polkadot_erasure_coding::Error`. */
export type ErasureError =
  | { readonly code: "TooManyValidators" }
  | { readonly code: "NotEnoughValidators" }
  | { readonly code: "WrongValidatorCount" }
  | { readonly code: "NotEnoughChunks" }
  | { readonly code: "TooManyChunks" }
  | { readonly code: "NonUniformChunks" }
  | { readonly code: "UnevenLength" }
  | {
      readonly code: "ChunkIndexOutOfBounds";
      readonly chunkIndex: number;
      readonly nValidators: number;
    }
  | { readonly code: "BadPayload" }
  | { readonly code: "InvalidBranchProof" }
  | { readonly code: "BranchOutOfBounds" }
  | { readonly code: "UnknownReconstruction" }
  | { readonly code: "UnknownCodeParam" };

/**
 * `recovery_threshold(n)`: the number of chunks needed to recover the data,
 * `floor((n - 1) / 3) + 1` (the value; `checkedRecoveryThreshold` adds polkadot's checks).
 */
export function recoveryThreshold(nValidators: number): number {
  return Math.floor(Math.max(nValidators - 1, 0) / 3) + 1;
}

/** `recovery_threshold`'s checks; the value itself is `recoveryThreshold`. */
function checkedRecoveryThreshold(nValidators: number): Result<number, ErasureError> {
  if (nValidators > MAX_VALIDATORS) return err({ code: "TooManyValidators" });
  if (nValidators <= 1) return err({ code: "NotEnoughValidators" });
  return ok(recoveryThreshold(nValidators));
}

/** `code_params`: novelpoly's parameters for `nValidators` chunks (n' and k powers of two). */
export function codeParams(nValidators: number): Result<CodeParams, ErasureError> {
  const kWanted = checkedRecoveryThreshold(nValidators);
  if (!kWanted.ok) return kWanted;
  if (nValidators > MAX_VALIDATORS) return err({ code: "TooManyValidators" });
  const params = deriveParameters(nValidators, kWanted.value);
  if (params.ok) return params;
  switch (params.error.code) {
    case "WantedShardCountTooHigh":
      return err({ code: "TooManyValidators" });
    case "WantedShardCountTooLow":
      return err({ code: "NotEnoughValidators" });
    default:
      return err({ code: "UnknownCodeParam" });
  }
}

/** `systematic_recovery_threshold`: k, the number of systematic chunks. */
export function systematicRecoveryThreshold(nValidators: number): Result<number, ErasureError> {
  const params = codeParams(nValidators);
  return params.ok ? ok(params.value.k) : params;
}

/** `obtain_chunks`: exactly `nValidators` chunks of the (already encoded) payload. */
export function obtainChunks(
  nValidators: number,
  payload: Uint8Array,
): Result<Uint8Array[], ErasureError> {
  const params = codeParams(nValidators);
  if (!params.ok) return params;
  if (payload.length === 0) return err({ code: "BadPayload" });
  const shards = makeEncoder(params.value).encode(payload);
  if (!shards.ok) {
    throw new Error(
      "Payload non-empty, shard sizes are uniform, and validator numbers checked; qed",
    );
  }
  return ok(shards.value);
}

/**
 * `reconstruct`, before the SCALE decoding: the payload bytes (with trailing zero padding) from
 * `(chunk, chunkIndex)` pairs; any k distinct chunks suffice. Only the first `nValidators` pairs
 * are read; a later pair for the same index replaces the earlier one.
 */
export function reconstruct(
  nValidators: number,
  chunks: Iterable<readonly [Uint8Array, number]>,
): Result<Uint8Array, ErasureError> {
  const params = codeParams(nValidators);
  if (!params.ok) return params;
  const receivedShards: (Uint8Array | undefined)[] = new Array(nValidators).fill(undefined);
  let shardLen: number | undefined;
  let taken = 0;
  for (const [chunkData, chunkIdx] of chunks) {
    if (taken === nValidators) break;
    taken++;
    if (!Number.isSafeInteger(chunkIdx) || chunkIdx < 0) {
      throw new Error(`reconstruct: chunk index ${chunkIdx} is not a usize`);
    }
    if (chunkIdx >= nValidators) {
      return err({ code: "ChunkIndexOutOfBounds", chunkIndex: chunkIdx, nValidators });
    }
    shardLen ??= chunkData.length;
    if (shardLen % 2 !== 0) return err({ code: "UnevenLength" });
    if (shardLen !== chunkData.length || shardLen === 0) return err({ code: "NonUniformChunks" });
    receivedShards[chunkIdx] = chunkData;
  }

  const res = makeEncoder(params.value).reconstruct(receivedShards);
  if (res.ok) return res;
  return err(reconstructionError(res.error));
}

/** How `reconstruct` maps novelpoly's errors. */
function reconstructionError(e: NovelpolyError): ErasureError {
  switch (e.code) {
    case "NeedMoreShards":
      return { code: "NotEnoughChunks" };
    case "ParamterMustBePowerOf2":
      return { code: "UnevenLength" };
    case "WantedShardCountTooHigh":
      return { code: "TooManyValidators" };
    case "WantedShardCountTooLow":
      return { code: "NotEnoughValidators" };
    case "PayloadSizeIsZero":
      return { code: "BadPayload" };
    case "InconsistentShardLengths":
      return { code: "NonUniformChunks" };
    default:
      return { code: "UnknownReconstruction" };
  }
}

/**
 * `reconstruct_from_systematic`, before the SCALE decoding: the first k of `chunks` (which must
 * be chunks 0..k-1 in order: indices are not checked) interleaved symbol by symbol, k * shard_len
 * bytes.
 */
export function reconstructFromSystematic(
  nValidators: number,
  chunks: readonly Uint8Array[],
): Result<Uint8Array, ErasureError> {
  const kpow2 = systematicRecoveryThreshold(nValidators);
  if (!kpow2.ok) return kpow2;
  const k = kpow2.value;
  const firstShard = chunks[0];
  if (firstShard === undefined) return err({ code: "NotEnoughChunks" });
  const shardLen = firstShard.length;
  if (shardLen === 0) return err({ code: "NonUniformChunks" });
  if (chunks.some((c) => c.length !== shardLen)) return err({ code: "NonUniformChunks" });
  if (shardLen % 2 !== 0) return err({ code: "UnevenLength" });
  if (chunks.length < k) return err({ code: "NotEnoughChunks" });

  const systematicBytes = new Uint8Array(shardLen * k);
  let o = 0;
  for (let i = 0; i < shardLen; i += 2) {
    for (let c = 0; c < k; c++) {
      const chunk = chunks[c]!;
      systematicBytes[o++] = chunk[i]!;
      systematicBytes[o++] = chunk[i + 1]!;
    }
  }
  return ok(systematicBytes);
}
