/**
 * blake2b-256, Substrate's `BlakeTwo256`, synchronous so pure cores can hash: @noble/hashes, or the
 * same function in WebAssembly (hash-wasm) once `useFastHashing()` has installed it. WebAssembly
 * compiles asynchronously, so the commands and the test setup await it once at start; its outputs
 * equal noble's (test/primitives/hashing.test.ts checks random inputs), so installing it changes
 * no result, only the speed (about 20x on erasure chunks here: noble hashes ~20 MB/s).
 *
 * `hashHex` remembers its last few thousand answers: the same head data is hashed by every node
 * that handles a candidate (collators, backers, prospective parachains, the runtime), and a map
 * lookup of a string costs far less than hashing it. A pure function's memo: answers never change.
 *
 * Ref: substrate sp-core hashing `blake2_256`.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { createBLAKE2b, type IHasher } from "hash-wasm";
import { fromHex, type Hash, type Hex, toHex } from "../lib/hex.ts";

/**
 * The WebAssembly BLAKE2b-256, once installed (module state allowed with its reason in
 * test/architecture.test.ts: the same function as noble's, so it cannot change a run).
 */
let fastBlake2b256: IHasher | null = null;

/** Installs the WebAssembly BLAKE2b-256 (idempotent). */
export async function useFastHashing(): Promise<void> {
  fastBlake2b256 ??= await createBLAKE2b(256);
}

export function blake2b256(data: Uint8Array): Uint8Array {
  const fast = fastBlake2b256;
  if (fast === null) return blake2b(data, { dkLen: 32 });
  fast.init();
  fast.update(data);
  return fast.digest("binary");
}

/** blake2b-256 of raw bytes, as a 0x-hex hash. */
export function hashBytes(data: Uint8Array): Hash {
  return toHex(blake2b256(data));
}

/**
 * How many `hashHex` answers are remembered before the memo starts over.
 *
 * The one content-keyed memo at module level below `src/cli` (docs/architecture.md "Module
 * state"; the architecture test allowlists it by name): a hex string has no identity to hang a
 * `WeakMap` entry on, and the memo pays for itself. A Polkadot-sized run (bench/polkadot.ts: 600
 * validators, 100 paras) calls `hashHex` about 4,200 times per relay block, 97% of them on a
 * string already hashed (head data of about 190 bytes, about 10 µs to hash each), so without it
 * a relay block costs about 40 ms (8%) more. It is read only for the hash it memoises, bounded,
 * and answers never change, so it cannot change a run.
 */
const HEX_MEMO_LIMIT = 8192;
const hexMemo = new Map<Hex, Hash>();

/** blake2b-256 of the raw bytes a hex string denotes (e.g. `HeadData::hash()`). */
export function hashHex(data: Hex): Hash {
  let hash = hexMemo.get(data);
  if (hash === undefined) {
    hash = hashBytes(fromHex(data));
    if (hexMemo.size >= HEX_MEMO_LIMIT) hexMemo.clear();
    hexMemo.set(data, hash);
  }
  return hash;
}
