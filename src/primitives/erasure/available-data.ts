/**
 * The bytes that erasure coding encodes: `AvailableData { pov: PoV { block_data }, validation_data:
 * PersistedValidationData }`, SCALE-encoded in declaration order (SEMANTICS.md 5.1 "Payload"), and
 * the decoding recovery does (`Decode::decode`, which ignores the trailing zero padding a
 * reconstruction leaves).
 *
 * Modelled: a PoV's `block_data`. parapipe's para blocks are not serialised with their storage
 * proofs, so a PoV of `sizeBytes` is `sizeBytes` bytes expanded from its hash (a keystream:
 * xoshiro128** seeded by the hash's first 16 bytes): the same PoV has the same bytes everywhere,
 * two PoVs differ, and the size is the modelled PoV size the rest of the simulator uses.
 *
 * Ref: polkadot/node/primitives/src/lib.rs (AvailableData, PoV, BlockData),
 *      polkadot/erasure-coding/src/lib.rs (obtain_chunks: `data.encode()`, reconstruct: `Decode::decode`).
 */
import { Bytes, Struct } from "scale-ts";
import { fromHex, type Hash, toHex } from "../../lib/hex.ts";
import { PersistedValidationData } from "../codecs.ts";

/** `AvailableData` as SCALE encodes it: `pov` (`PoV { block_data: BlockData(Vec<u8>) }`), then `validation_data`. */
export const AvailableDataCodec = Struct({
  pov: Struct({ blockData: Bytes() }),
  validationData: PersistedValidationData,
});

/** What a PoV is in the simulator: its hash and modelled size. */
export interface PovSummary {
  readonly hash: Hash;
  readonly sizeBytes: number;
}

/** The modelled `block_data` of a PoV: `sizeBytes` bytes expanded from its hash (see the header). */
export function povBlockData(pov: PovSummary): Uint8Array {
  const seed = fromHex(pov.hash);
  const view = new DataView(seed.buffer, seed.byteOffset, seed.byteLength);
  let s0 = view.getUint32(0, true) | 0;
  let s1 = view.getUint32(4, true) | 0;
  let s2 = view.getUint32(8, true) | 0;
  let s3 = view.getUint32(12, true) | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // xoshiro's one forbidden state
  const words = new Uint32Array(Math.ceil(pov.sizeBytes / 4));
  for (let i = 0; i < words.length; i++) {
    // xoshiro128** 1.1
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    words[i] = result >>> 0;
  }
  return new Uint8Array(words.buffer, 0, pov.sizeBytes);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** `AvailableData::encode()`: the erasure-coding payload of a candidate. */
export function availableDataPayload(
  pov: PovSummary,
  validationData: PersistedValidationData,
): Uint8Array {
  return AvailableDataCodec.enc({ pov: { blockData: povBlockData(pov) }, validationData });
}

/**
 * `AvailableData::decode` of a reconstructed payload (trailing bytes ignored, as `Decode::decode`
 * does); null when it does not decode (`Error::BadPayload`): a truncated input, a length prefix
 * running past the end. (Read by hand: scale-ts reads past the end of a short input.)
 */
export function decodeAvailableData(
  bytes: Uint8Array,
): { readonly blockData: Uint8Array; readonly validationData: PersistedValidationData } | null {
  let at = 0;
  const vec = (): Uint8Array | null => {
    const len = compact(bytes, at);
    if (len === null || len.value > bytes.length - len.end) return null;
    at = len.end + len.value;
    return bytes.subarray(len.end, at);
  };
  const u32 = (): number | null => {
    if (at + 4 > bytes.length) return null;
    const v = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
    at += 4;
    return v;
  };
  const blockData = vec();
  if (blockData === null) return null;
  const parentHead = vec();
  const relayParentNumber = u32();
  if (parentHead === null || relayParentNumber === null || at + 32 > bytes.length) return null;
  const root = bytes.subarray(at, at + 32);
  at += 32;
  const maxPovSize = u32();
  if (maxPovSize === null) return null;
  return {
    blockData,
    validationData: {
      parentHead: toHex(parentHead),
      relayParentNumber,
      relayParentStorageRoot: toHex(root),
      maxPovSize,
    },
  };
}

/** A SCALE compact integer at `at` (up to 2^53), or null when it is truncated or too big. */
function compact(bytes: Uint8Array, at: number): { value: number; end: number } | null {
  if (at >= bytes.length) return null;
  const b0 = bytes[at]!;
  const mode = b0 & 3;
  if (mode === 0) return { value: b0 >>> 2, end: at + 1 };
  if (mode === 1) {
    if (at + 2 > bytes.length) return null;
    return { value: (b0 | (bytes[at + 1]! << 8)) >>> 2, end: at + 2 };
  }
  if (mode === 2) {
    if (at + 4 > bytes.length) return null;
    const v = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
    return { value: v >>> 2, end: at + 4 };
  }
  const n = (b0 >>> 2) + 4;
  if (n > 6 || at + 1 + n > bytes.length) return null;
  let value = 0;
  for (let i = n - 1; i >= 0; i--) value = value * 256 + bytes[at + 1 + i]!;
  return { value, end: at + 1 + n };
}
