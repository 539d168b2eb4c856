/**
 * blake2b-256, Substrate's `BlakeTwo256`, synchronous (@noble/hashes) so pure cores can hash.
 * Ref: substrate sp-core hashing `blake2_256`.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { fromHex, type Hash, type Hex, toHex } from "../lib/hex.ts";

export function blake2b256(data: Uint8Array): Uint8Array {
  return blake2b(data, { dkLen: 32 });
}

/** blake2b-256 of raw bytes, as a 0x-hex hash. */
export function hashBytes(data: Uint8Array): Hash {
  return toHex(blake2b256(data));
}

/** blake2b-256 of the raw bytes a hex string denotes (e.g. `HeadData::hash()`). */
export function hashHex(data: Hex): Hash {
  return hashBytes(fromHex(data));
}
