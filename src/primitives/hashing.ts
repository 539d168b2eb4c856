/**
 * blake2b-256, Substrate's `BlakeTwo256`, synchronous (@noble/hashes) so pure cores can hash.
 *
 * `hashHex` remembers its last few thousand answers: the same head data is hashed by every node
 * that handles a candidate (collators, backers, prospective parachains, the runtime), and a map
 * lookup of a string costs far less than hashing it. A pure function's memo: answers never change.
 *
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
