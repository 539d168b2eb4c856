/**
 * The erasure root and chunk proofs: Substrate's base-16 Patricia-Merkle trie (`sp_trie` with
 * `LayoutV0<Blake2Hasher>`) mapping `SCALE(i as u32)` (4 bytes, little endian) to
 * `blake2_256(chunk i)`, its root (the candidate's `erasure_root`), the proof of one chunk (the
 * encoded nodes a lookup of its key reads, root first) and `branch_hash`, which checks a proof.
 *
 * The trie (no extension nodes; a branch carries a partial key): node hash blake2b-256; a node
 * whose encoding is shorter than 32 bytes is inlined in its parent, otherwise referenced by its
 * hash; the root is always hashed. V0 layout: values are always inline, never hashed out. The
 * node codec (`NodeCodec`, `NodeHeader`):
 * - empty trie: `0x00`;
 * - header: 2 type bits (`01` leaf, `10` branch without value, `11` branch with value; V1's
 *   hashed-value kinds `001` leaf, `0001` branch only decode) then the partial key's nibble count
 *   in the remaining bits; at the maximum (63 for the 2-bit kinds) further bytes follow, each
 *   255 adding 255 and the first one below 255 ending it;
 * - the partial key, left-padded to whole bytes (an odd count's first byte holds one nibble in
 *   its low half, the high half zero);
 * - a branch: the children bitmap (u16 LE, bit i = child at nibble i, never zero), then its value
 *   if any, then each child as SCALE `Vec<u8>` (compact length ++ bytes: the inline node, or the
 *   32-byte hash);
 * - a value: `Compact<u32>` length ++ bytes (a hashed value: the 32 bytes alone).
 *
 * Follows line by line (Ref below):
 * - `trie_root::build_trie` with sp-trie's `TrieStream` (`trieRootUnhashed` / `trieRoot`, and the
 *   trie `branches` builds): `TrieDBMut` inserting the same entries reaches the same nodes and
 *   root (sp-trie's `check_equivalent` tests assert it), so the closed form stands in for it;
 * - `NodeCodec::decode_plan` and `NodeHeader::decode` / `decode_size`, with every rejection
 *   (bad header, non-zero padding, empty bitmap, short input, non-canonical compact); like the
 *   Rust, trailing bytes after a node are ignored;
 * - `Lookup::look_up_without_cache` (trie-db lookup.rs) with the `Recorder` (recorder.rs: every
 *   node read from the database, root first; inline children are not separate records; a hashed
 *   value is recorded after its leaf);
 * - `memory_db::MemoryDB` as sp-trie's `MemoryDB` uses it (`HashKey`: prefix ignored; the null
 *   node `0x00` is never stored and its hash always answers `0x00`);
 * - `branches` / `Branches::next` / `branch_hash` (erasure-coding lib.rs).
 *
 * What SEMANTICS.md §5.2 leaves open or states loosely, settled by the Rust:
 * - "found and decodes as H256" (not "is 32 bytes"): `branch_hash` decodes the value with
 *   `H256::decode(&mut &raw[..])`, which reads 32 bytes and ignores the rest, so a value of 32
 *   bytes OR MORE gives its first 32 bytes; a shorter one is `InvalidBranchProof`;
 * - the `Proof` bounds (*unverified* there): `Proof` holds 1..=8 nodes of 1..=612 bytes
 *   (`MERKLE_PROOF_MAX_DEPTH`, `MERKLE_NODE_MAX_SIZE`), enforced by its decoder on the wire, so
 *   `branch_hash` never sees more; `branchHash` takes any list, and a caller decoding proofs
 *   from the network checks the bounds itself. `branches` asserts its proofs fit (for up to 65536
 *   chunks a proof has at most 5 nodes of at most 533 bytes);
 * - the key is `index as u32`: an index of 2^32 or more wraps, as the cast does;
 * - one chunk's proof can prove another index too: equal chunks whose keys end in the same
 *   nibbles give byte-equal leaves (one node under two slots), so it then proves both, as in Rust.
 *
 * Simplified: no `TrieDBMut` (the closed form above), no trie cache, no prefixed database; proof
 * nodes of `branches` are shared between proofs (read them, do not write them).
 *
 * Verified against published vectors (test/primitives/erasure-trie.test.ts): sp-trie's
 * `codec_trie_*` node encodings and the Polkadot Host conformance suite's
 * `ext_trie_blake2_256_root_version_1` / `ext_trie_blake2_256_ordered_root_version_1` outputs
 * (`LayoutV0<Blake2Hasher>::trie_root` / `ordered_trie_root`, with inline and hashed children).
 * No published erasure root over chunk hashes was found, so byte equality of `branches`' root
 * and proofs with polkadot rests on those codec vectors and is otherwise UNVERIFIED (no Rust on
 * this machine).
 *
 * Ref: polkadot/erasure-coding/src/lib.rs (branches, Branches::next, branch_hash);
 *      polkadot/node/primitives/src/lib.rs (Proof, MERKLE_PROOF_MAX_DEPTH, MERKLE_NODE_MAX_SIZE);
 *      substrate/primitives/trie/src/{lib.rs (LayoutV0, trie_constants), node_codec.rs,
 *      node_header.rs, trie_stream.rs}; paritytech/trie trie-root/src/lib.rs (build_trie),
 *      trie-db/src/{lookup.rs, recorder.rs}, memory-db/src/lib.rs.
 */
import { assert } from "../../lib/assert.ts";
import { type Hash, toHex } from "../../lib/hex.ts";
import { err, ok, type Result } from "../../lib/result.ts";
import { blake2b256 } from "../hashing.ts";
import { decodeCompactU32, encodeCompactU32 } from "../ump.ts";

export type { Hash };

// sp-trie `trie_constants`.
const EMPTY_TRIE = 0b0000_0000;
const LEAF_PREFIX_MASK = 0b01 << 6;
const BRANCH_WITHOUT_MASK = 0b10 << 6;
const BRANCH_WITH_MASK = 0b11 << 6;
const ALT_HASHING_LEAF_PREFIX_MASK = 0b001 << 5;
const ALT_HASHING_BRANCH_WITH_MASK = 0b0001 << 4;
/** `Blake2Hasher::LENGTH`. */
const HASH_LENGTH = 32;
const BITMAP_LENGTH = 2;
const NIBBLE_LENGTH = 16;

/** polkadot-node-primitives: a `Proof` holds at most this many nodes... */
export const MERKLE_PROOF_MAX_DEPTH = 8;
/** ...each of at most this many bytes (`512 + 100`). */
export const MERKLE_NODE_MAX_SIZE = 612;

/** The root of the empty trie: `NodeCodec::hashed_null_node()` = blake2-256 of `[EMPTY_TRIE]`. */
export const EMPTY_TRIE_ROOT: Hash = toHex(blake2b256(Uint8Array.of(EMPTY_TRIE)));

/** One key-value pair of a trie, as `trie_root`'s input. */
export type TrieEntry = readonly [key: Uint8Array, value: Uint8Array];

/** Why `branch_hash` refused a proof. `cause` names the trie-db `TrieError` (or the H256 decode). */
export type BranchError =
  | { readonly code: "BranchOutOfBounds" }
  | {
      readonly code: "InvalidBranchProof";
      readonly cause: "InvalidStateRoot" | "IncompleteDatabase" | "DecoderError" | "HashDecode";
    };

/** The erasure root of a candidate's chunks and the proof of each chunk. */
export interface ErasureBranches {
  /** The trie root: the `erasure_root` of the candidate descriptor. */
  readonly root: Hash;
  readonly chunkCount: number;
  /** The proof of chunk `chunkIndex` (< chunkCount): encoded trie nodes in recorder order. */
  proof(chunkIndex: number): readonly Uint8Array[];
}

// ---------------------------------------------------------------------------------------------
// Building (trie_root::build_trie with sp-trie's TrieStream)
// ---------------------------------------------------------------------------------------------

/** A trie entry with its key as nibbles (`trie_root_inner`'s `(&nibbles[..], value)`). */
interface NibbleEntry {
  readonly nibbles: Uint8Array;
  readonly value: Uint8Array;
}

/** A growable byte buffer (`TrieStream::buffer`). */
class ByteWriter {
  private bytes: Uint8Array;
  private length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 1));
  }

  push(byte: number): void {
    if (this.length === this.bytes.length) this.grow(1);
    this.bytes[this.length++] = byte;
  }

  append(data: Uint8Array): void {
    if (this.length + data.length > this.bytes.length) this.grow(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  out(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}

/** `size_and_prefix_iterator(size, prefix, prefix_mask)` (node_header.rs). */
function pushSizeAndPrefix(out: ByteWriter, size: number, prefix: number, prefixMask: number) {
  const maxValue = 255 >> prefixMask;
  const l1 = Math.min(Math.max(maxValue - 1, 0), size);
  let rem: number;
  if (size === l1) {
    out.push(prefix + l1);
    rem = 0;
  } else {
    out.push(prefix + maxValue);
    rem = size - l1;
  }
  while (rem > 0) {
    if (rem < 256) {
      out.push(rem - 1);
      rem = 0;
    } else {
      rem = Math.max(rem - 255, 0);
      out.push(255);
    }
  }
}

/** `fuse_nibbles_node` (trie_stream.rs) for the V0 kinds: header, then the left-padded partial. */
function pushNibblesNode(out: ByteWriter, nibbles: Uint8Array, prefix: number): void {
  pushSizeAndPrefix(out, nibbles.length, prefix, 2);
  const odd = nibbles.length % 2;
  if (odd === 1) out.push(nibbles[0]!);
  for (let i = odd; i < nibbles.length; i += 2) out.push((nibbles[i]! << 4) | nibbles[i + 1]!);
}

/** SCALE `Vec<u8>` / inline value: `Compact<u32>` length ++ bytes. */
function pushLengthPrefixed(out: ByteWriter, data: Uint8Array): void {
  if (data.length < 1 << 6) {
    out.push(data.length << 2); // Compact's single-byte mode, without allocating
  } else {
    out.append(encodeCompactU32(data.length));
  }
  out.append(data);
}

/**
 * `TrieStream::append_substream`: a child under 32 bytes inline, otherwise its hash (and the node
 * goes to `store`, as `TrieDBMut` commits every node it references by hash).
 */
function appendSubstream(out: ByteWriter, child: Uint8Array, store: MemoryDb | null): void {
  if (child.length < HASH_LENGTH) {
    pushLengthPrefixed(out, child);
    return;
  }
  const hash = blake2b256(child);
  store?.emplace(toHex(hash), child);
  pushLengthPrefixed(out, hash);
}

/** `shared_prefix_length`. */
function sharedPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/**
 * `build_trie(input, cursor, stream, no_extension = true, threshold = None)` over the sorted,
 * unique `input[begin..end]`: the encoding of the node for those entries below `cursor` nibbles.
 */
function buildTrie(
  input: readonly NibbleEntry[],
  begin: number,
  end: number,
  cursor: number,
  store: MemoryDb | null,
): Uint8Array {
  const count = end - begin;
  if (count === 0) return Uint8Array.of(EMPTY_TRIE); // append_empty_data
  const first = input[begin]!;
  // Room for the header, the partial key, a value and (a branch) 16 child references; the
  // writer grows if a long key needs more.
  const out = new ByteWriter(
    8 + first.nibbles.length - cursor + first.value.length + (count === 1 ? 0 : 16 * 33),
  );
  if (count === 1) {
    // append_leaf with an inline value (V0: threshold None).
    pushNibblesNode(out, first.nibbles.subarray(cursor), LEAF_PREFIX_MASK);
    pushLengthPrefixed(out, first.value);
    return out.out();
  }
  const key = first.nibbles;
  let sharedNibbleCount = key.length;
  for (let i = begin + 1; i < end; i++) {
    sharedNibbleCount = Math.min(sharedPrefixLength(key, input[i]!.nibbles), sharedNibbleCount);
  }
  // no_extension: the shared nibbles become the branch's partial key.
  const partial =
    sharedNibbleCount > cursor ? key.subarray(cursor, sharedNibbleCount) : key.subarray(0, 0);
  if (sharedNibbleCount > cursor) cursor = sharedNibbleCount;
  const value = cursor === key.length ? first.value : null;

  const sharedNibbleCounts = new Array<number>(NIBBLE_LENGTH).fill(0);
  let at = begin + (value === null ? 0 : 1);
  for (let i = 0; i < NIBBLE_LENGTH; i++) {
    let n = 0;
    while (at + n < end && input[at + n]!.nibbles[cursor] === i) n++;
    sharedNibbleCounts[i] = n;
    at += n;
  }

  // begin_branch: header + partial, bitmap, value.
  pushNibblesNode(out, partial, value === null ? BRANCH_WITHOUT_MASK : BRANCH_WITH_MASK);
  let bitmap = 0;
  for (let i = 0; i < NIBBLE_LENGTH; i++) if (sharedNibbleCounts[i]! > 0) bitmap |= 1 << i;
  out.push(bitmap & 0xff);
  out.push(bitmap >> 8);
  if (value !== null) pushLengthPrefixed(out, value);

  at = begin + (value === null ? 0 : 1);
  for (const n of sharedNibbleCounts) {
    if (n > 0) {
      appendSubstream(out, buildTrie(input, at, at + n, cursor + 1, store), store);
      at += n;
    }
  }
  return out.out();
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function toNibbles(key: Uint8Array): Uint8Array {
  const nibbles = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    nibbles[2 * i] = key[i]! >> 4;
    nibbles[2 * i + 1] = key[i]! & 0x0f;
  }
  return nibbles;
}

/** `trie_root_inner`'s input: a `BTreeMap` (sorted by key, the last value of a key wins), as nibbles. */
function sortedUnique(entries: readonly TrieEntry[]): NibbleEntry[] {
  const byKey = new Map<Hash, TrieEntry>();
  for (const entry of entries) byKey.set(toHex(entry[0]), entry);
  return [...byKey.values()]
    .sort((a, b) => compareBytes(a[0], b[0]))
    .map(([key, value]) => ({ nibbles: toNibbles(key), value }));
}

/** `LayoutV0::trie_root_unhashed`: the encoded root node of a trie holding `entries`. */
export function trieRootUnhashed(entries: readonly TrieEntry[]): Uint8Array {
  const input = sortedUnique(entries);
  return buildTrie(input, 0, input.length, 0, null);
}

/** `LayoutV0::trie_root`: the root of a trie holding `entries` (unsorted; a repeated key's last value wins). */
export function trieRoot(entries: readonly TrieEntry[]): Hash {
  return toHex(blake2b256(trieRootUnhashed(entries)));
}

/** `(i as u32).encode()`: 4 bytes little endian (an index of 2^32 or more wraps, as the cast). */
function chunkKey(index: number): Uint8Array {
  assert(Number.isSafeInteger(index) && index >= 0, () => `chunk index ${index} is not a usize`);
  const v = index % 2 ** 32;
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

/**
 * `branches(chunks)`: the trie mapping each chunk's index to its hash, its root, and the proof of
 * each chunk (`Branches::next`: a recorded lookup of the chunk's key in that trie).
 */
export function branches(chunks: readonly Uint8Array[]): ErasureBranches {
  const { db, root } = chunkTrie(chunks);
  // Each stored node is decoded once for all the proofs' lookups (a memo of a pure function).
  const plans = new WeakMap<Uint8Array, NodePlan | null>();
  const decode = (data: Uint8Array): NodePlan | null => {
    let plan = plans.get(data);
    if (plan === undefined) {
      plan = decodePlan(data);
      plans.set(data, plan);
    }
    return plan;
  };
  const chunkCount = chunks.length;
  // Every chunk's recorded lookup, computed in one walk the first time a proof is asked for.
  let proofs: (readonly Uint8Array[] | undefined)[] | null = null;
  return {
    root,
    chunkCount,
    proof(chunkIndex: number): readonly Uint8Array[] {
      assert(
        Number.isInteger(chunkIndex) && chunkIndex >= 0 && chunkIndex < chunkCount,
        () => `no chunk ${chunkIndex} among ${chunkCount}`,
      );
      proofs ??= recordedLookups(db, root, chunkCount, decode);
      const nodes = proofs[chunkIndex];
      assert(nodes !== undefined, "all nodes in trie present; qed");
      // Proof::try_from: Branches::next would end early on an oversized proof.
      assert(
        nodes.length <= MERKLE_PROOF_MAX_DEPTH &&
          nodes.every((n) => n.length <= MERKLE_NODE_MAX_SIZE),
        () => `chunk ${chunkIndex}'s proof exceeds Proof's bounds`,
      );
      return nodes;
    },
  };
}

/**
 * The nodes `lookUp` records for the key of each chunk index below `chunkCount` (`chunkKey`), all
 * in one depth-first walk from the root instead of one lookup per key (performance: a lookup
 * decodes and hashes its way down from the root again for each of hundreds of chunks). The walk
 * takes the steps a lookup takes, in the same order: a node read from `db` by its hash is
 * recorded, an inline child is entered without recording, a hashed value is read and recorded;
 * a key ends at a leaf or at a branch's value. (`lookUp` stays the reference: the tests compare
 * the two on every chunk of tries of many sizes.)
 */
function recordedLookups(
  db: MemoryDb,
  root: Hash,
  chunkCount: number,
  decode: (data: Uint8Array) => NodePlan | null,
): (readonly Uint8Array[] | undefined)[] {
  const proofs: (readonly Uint8Array[] | undefined)[] = new Array(chunkCount);
  const key: number[] = []; // the nibbles so far
  const found = (path: readonly Uint8Array[], value: ValuePlan): void => {
    // A chunk key is 4 bytes, little endian: 8 nibbles, high nibble first.
    if (key.length !== 8) return;
    let index = 0;
    for (let b = 3; b >= 0; b--) index = index * 256 + key[2 * b]! * 16 + key[2 * b + 1]!;
    if (index >= chunkCount) return;
    if (!value.hashed) {
      proofs[index] = path;
      return;
    }
    const stored = db.get(toHex(value.bytes));
    assert(stored !== undefined, "all nodes in trie present; qed");
    proofs[index] = [...path, stored];
  };
  const visit = (data: Uint8Array, path: readonly Uint8Array[]): void => {
    const node = decode(data);
    assert(node !== null, "a trie node built here decodes");
    if (node.kind === "Empty") return;
    const depth = key.length;
    for (let i = 0; i < node.partial.length; i++) key.push(nibbleAt(node.partial, i));
    if (node.kind === "Leaf") {
      found(path, node.value);
    } else {
      if (node.value !== null) found(path, node.value);
      node.children.forEach((child, nibble) => {
        if (child === null) return;
        key.push(nibble);
        if (child.hashed) {
          const stored = db.get(toHex(child.bytes));
          assert(stored !== undefined, "all nodes in trie present; qed");
          visit(stored, [...path, stored]);
        } else {
          visit(child.bytes, path);
        }
        key.pop();
      });
    }
    key.length = depth;
  };
  const rootNode = db.get(root);
  assert(rootNode !== undefined, "the root is stored");
  visit(rootNode, [rootNode]);
  return proofs;
}

/** The trie mapping each chunk's index to its hash, stored in a `MemoryDb`, and its root. */
function chunkTrie(chunks: readonly Uint8Array[]): { readonly db: MemoryDb; readonly root: Hash } {
  // Keys are sorted once: by (byte 0, byte 1, ...) of the little-endian index.
  const input: NibbleEntry[] = chunks.map((chunk, i) => ({
    nibbles: toNibbles(chunkKey(i)),
    value: blake2b256(chunk),
  }));
  input.sort((a, b) => compareBytes(a.nibbles, b.nibbles));
  const db = new MemoryDb();
  const rootNode = buildTrie(input, 0, input.length, 0, db);
  const root = toHex(blake2b256(rootNode));
  db.emplace(root, rootNode); // TrieDBMut always stores the root, whatever its size
  return { db, root };
}

/** Every chunk's proof by a recorded lookup of its key, one lookup each (`Branches::next`; the reference). */
export function lookedUpProofs(chunks: readonly Uint8Array[]): Uint8Array[][] {
  const { db, root } = chunkTrie(chunks);
  return chunks.map((_, i) => {
    const nodes: Uint8Array[] = [];
    const found = lookUp(db, root, chunkKey(i), nodes);
    assert(found.ok && found.value !== null, "all nodes in trie present; qed");
    return nodes;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading (MemoryDB, NodeCodec::decode_plan, Lookup::look_up_without_cache)
// ---------------------------------------------------------------------------------------------

/**
 * `MemoryDB<Blake2Hasher>` with `HashKey`: nodes by hash (the prefix is ignored); the null node's
 * hash always answers the null node (its `emplace` also skips the null node, which that makes
 * unobservable, so it is not ported).
 */
class MemoryDb {
  private readonly nodes = new Map<Hash, Uint8Array>();

  /** `HashDB::insert(EMPTY_PREFIX, value)`. */
  insert(value: Uint8Array): void {
    this.emplace(toHex(blake2b256(value)), value);
  }

  /** `HashDB::emplace` (a second copy only bumps a reference count there). */
  emplace(hash: Hash, value: Uint8Array): void {
    if (!this.nodes.has(hash)) this.nodes.set(hash, value);
  }

  /** `HashDB::get`: the null node's hash always answers the null node. */
  get(hash: Hash): Uint8Array | undefined {
    if (hash === EMPTY_TRIE_ROOT) return Uint8Array.of(EMPTY_TRIE);
    return this.nodes.get(hash);
  }
}

/** `NibbleSlice` over node bytes: `length` nibbles from nibble `offset` of `data`. */
interface NibbleSlice {
  readonly data: Uint8Array;
  readonly offset: number;
  readonly length: number;
}

function nibbleAt(s: NibbleSlice, i: number): number {
  const n = s.offset + i;
  const byte = s.data[n >> 1]!;
  return n % 2 === 0 ? byte >> 4 : byte & 0x0f;
}

/** A value: inline bytes, or (a V1 node, decoded all the same) the hash of a value node. */
type ValuePlan = { readonly hashed: boolean; readonly bytes: Uint8Array };
/** A child: `Hash` if exactly 32 bytes, else `Inline` (`NodeHandlePlan`). */
type ChildPlan = { readonly hashed: boolean; readonly bytes: Uint8Array };
type NodePlan =
  | { readonly kind: "Empty" }
  | { readonly kind: "Leaf"; readonly partial: NibbleSlice; readonly value: ValuePlan }
  | {
      readonly kind: "NibbledBranch";
      readonly partial: NibbleSlice;
      readonly value: ValuePlan | null;
      readonly children: readonly (ChildPlan | null)[];
    };

type Header =
  | { readonly kind: "Null" }
  | { readonly kind: "Leaf" | "HashedValueLeaf"; readonly nibbleCount: number }
  | {
      readonly kind: "Branch" | "HashedValueBranch";
      readonly hasValue: boolean;
      readonly nibbleCount: number;
    };

/** `ByteSliceInput`: a cursor over node bytes. */
interface Input {
  readonly data: Uint8Array;
  offset: number;
}

/** `ByteSliceInput::take`: `count` bytes, or null past the end. */
function take(input: Input, count: number): Uint8Array | null {
  if (input.offset + count > input.data.length) return null;
  const out = input.data.subarray(input.offset, input.offset + count);
  input.offset += count;
  return out;
}

/** `decode_size(first, input, prefix_mask)`. */
function decodeSize(first: number, input: Input, prefixMask: number): number | null {
  const maxValue = 255 >> prefixMask;
  let result = first & maxValue;
  if (result < maxValue) return result;
  result -= 1;
  for (;;) {
    const n = input.data[input.offset];
    if (n === undefined) return null;
    input.offset++;
    if (n < 255) return result + n + 1;
    result += 255;
  }
}

/** `NodeHeader::decode`. */
function decodeHeader(input: Input): Header | null {
  const i = input.data[input.offset];
  if (i === undefined) return null;
  input.offset++;
  if (i === EMPTY_TRIE) return { kind: "Null" };
  const size = (mask: number): number | null => decodeSize(i, input, mask);
  let nibbleCount: number | null;
  switch (i & (0b11 << 6)) {
    case LEAF_PREFIX_MASK:
      nibbleCount = size(2);
      return nibbleCount === null ? null : { kind: "Leaf", nibbleCount };
    case BRANCH_WITH_MASK:
      nibbleCount = size(2);
      return nibbleCount === null ? null : { kind: "Branch", hasValue: true, nibbleCount };
    case BRANCH_WITHOUT_MASK:
      nibbleCount = size(2);
      return nibbleCount === null ? null : { kind: "Branch", hasValue: false, nibbleCount };
    default:
      if ((i & (0b111 << 5)) === ALT_HASHING_LEAF_PREFIX_MASK) {
        nibbleCount = size(3);
        return nibbleCount === null ? null : { kind: "HashedValueLeaf", nibbleCount };
      }
      if ((i & (0b1111 << 4)) === ALT_HASHING_BRANCH_WITH_MASK) {
        nibbleCount = size(4);
        return nibbleCount === null
          ? null
          : { kind: "HashedValueBranch", hasValue: true, nibbleCount };
      }
      return null; // "Unallowed encoding"
  }
}

/** The partial key after the header: padding checked (`pad_left` must be zero), bytes taken. */
function decodePartial(input: Input, nibbleCount: number): NibbleSlice | null {
  const padding = nibbleCount % 2;
  // data should be at least of size offset + 1
  if (input.data.length < input.offset + 1) return null;
  if (padding === 1 && (input.data[input.offset]! & 0xf0) !== 0) return null;
  const start = input.offset;
  if (take(input, Math.ceil(nibbleCount / 2)) === null) return null;
  return { data: input.data, offset: 2 * start + padding, length: nibbleCount };
}

/** A value: 32 bytes if hashed, else `Compact<u32>` length ++ bytes. */
function decodeValue(input: Input, hashed: boolean): ValuePlan | null {
  if (hashed) {
    const bytes = take(input, HASH_LENGTH);
    return bytes === null ? null : { hashed, bytes };
  }
  const len = decodeCompactU32(input.data, input.offset);
  if (len === null) return null;
  input.offset = len.next;
  const bytes = take(input, len.value);
  return bytes === null ? null : { hashed, bytes };
}

/** `NodeCodec::decode_plan`: null where it returns an error. Trailing bytes are ignored. */
function decodePlan(data: Uint8Array): NodePlan | null {
  const input: Input = { data, offset: 0 };
  const header = decodeHeader(input);
  if (header === null) return null;
  switch (header.kind) {
    case "Null":
      return { kind: "Empty" };
    case "Leaf":
    case "HashedValueLeaf": {
      const partial = decodePartial(input, header.nibbleCount);
      if (partial === null) return null;
      const value = decodeValue(input, header.kind === "HashedValueLeaf");
      return value === null ? null : { kind: "Leaf", partial, value };
    }
    case "Branch":
    case "HashedValueBranch": {
      const partial = decodePartial(input, header.nibbleCount);
      if (partial === null) return null;
      const bitmapBytes = take(input, BITMAP_LENGTH);
      if (bitmapBytes === null) return null;
      const bitmap = bitmapBytes[0]! | (bitmapBytes[1]! << 8);
      if (bitmap === 0) return null; // "Bitmap without a child."
      let value: ValuePlan | null = null;
      if (header.hasValue) {
        value = decodeValue(input, header.kind === "HashedValueBranch");
        if (value === null) return null;
      }
      const children: (ChildPlan | null)[] = new Array(NIBBLE_LENGTH).fill(null);
      for (let i = 0; i < NIBBLE_LENGTH; i++) {
        if ((bitmap & (1 << i)) === 0) continue;
        const len = decodeCompactU32(data, input.offset);
        if (len === null) return null;
        input.offset = len.next;
        const bytes = take(input, len.value);
        if (bytes === null) return null;
        children[i] = { hashed: len.value === HASH_LENGTH, bytes };
      }
      return { kind: "NibbledBranch", partial, value, children };
    }
  }
}

type LookupError = "InvalidStateRoot" | "IncompleteDatabase" | "DecoderError";

/**
 * `Lookup::look_up_without_cache` for `key` under `root`: the value's bytes, null if the key is
 * absent, or the trie error. Every node read from `db` is pushed to `recorder` (trie-db's
 * `Recorder`: `EncodedNode` and `Value` accesses, in order), if one is given. `decode` is
 * `decodePlan` or a memo of it.
 */
function lookUp(
  db: MemoryDb,
  root: Hash,
  key: Uint8Array,
  recorder: Uint8Array[] | null,
  decode: (data: Uint8Array) => NodePlan | null = decodePlan,
): Result<Uint8Array | null, LookupError> {
  const keyNibbles: NibbleSlice = { data: key, offset: 0, length: key.length * 2 };
  let keyOffset = 0; // nibbles of the key consumed (`key_nibbles`)
  let hash = root;
  for (let depth = 0; ; depth++) {
    const nodeData = db.get(hash);
    if (nodeData === undefined) return err(depth === 0 ? "InvalidStateRoot" : "IncompleteDatabase");
    recorder?.push(nodeData);
    // This loop iterates through all inline children without incrementing the depth.
    let data = nodeData;
    for (;;) {
      const node = decode(data);
      if (node === null) return err("DecoderError");
      const remaining = keyNibbles.length - keyOffset;
      let child: ChildPlan | null;
      switch (node.kind) {
        case "Empty":
          return ok(null);
        case "Leaf":
          return node.partial.length === remaining &&
            startsWith(keyNibbles, keyOffset, node.partial)
            ? loadValue(db, node.value, recorder)
            : ok(null);
        case "NibbledBranch": {
          if (
            !(node.partial.length <= remaining && startsWith(keyNibbles, keyOffset, node.partial))
          ) {
            return ok(null);
          }
          if (remaining === node.partial.length) {
            return node.value === null ? ok(null) : loadValue(db, node.value, recorder);
          }
          child = node.children[nibbleAt(keyNibbles, keyOffset + node.partial.length)]!;
          if (child === null) return ok(null);
          keyOffset += node.partial.length + 1;
          break;
        }
      }
      if (child.hashed) {
        hash = toHex(child.bytes);
        break;
      }
      data = child.bytes;
    }
  }
}

/** Whether the key's nibbles from `keyOffset` start with `partial` (its length already checked). */
function startsWith(key: NibbleSlice, keyOffset: number, partial: NibbleSlice): boolean {
  for (let i = 0; i < partial.length; i++) {
    if (nibbleAt(key, keyOffset + i) !== nibbleAt(partial, i)) return false;
  }
  return true;
}

/** `Lookup::load_value`: inline bytes as they are; a hashed value read from `db` (and recorded). */
function loadValue(
  db: MemoryDb,
  value: ValuePlan,
  recorder: Uint8Array[] | null,
): Result<Uint8Array, LookupError> {
  if (!value.hashed) return ok(value.bytes);
  const stored = db.get(toHex(value.bytes));
  if (stored === undefined) return err("IncompleteDatabase");
  recorder?.push(stored);
  return ok(stored);
}

/**
 * `branch_hash(root, proof, index)`: the chunk hash the proof commits to at `index` under `root`.
 * Every proof node goes into an empty `MemoryDB`, then `SCALE(index as u32)` is looked up:
 * found → the value as an H256 (its first 32 bytes; shorter: `InvalidBranchProof`), absent →
 * `BranchOutOfBounds`, a missing root or node or an undecodable node → `InvalidBranchProof`.
 */
export function branchHash(
  root: Hash,
  proof: readonly Uint8Array[],
  index: number,
): Result<Hash, BranchError> {
  const db = new MemoryDb();
  for (const node of proof) db.insert(node);
  const found = lookUp(db, root, chunkKey(index), null);
  if (!found.ok) return err({ code: "InvalidBranchProof", cause: found.error });
  if (found.value === null) return err({ code: "BranchOutOfBounds" });
  // H256::decode(&mut &raw_hash[..]): reads 32 bytes, ignores any rest.
  if (found.value.length < HASH_LENGTH) {
    return err({ code: "InvalidBranchProof", cause: "HashDecode" });
  }
  return ok(toHex(found.value.subarray(0, HASH_LENGTH)));
}

/**
 * `is_chunk_valid` (availability-recovery): the proof leads from `root` to `blake2_256(chunk)` at
 * `index`.
 */
export function isChunkValid(
  root: Hash,
  proof: readonly Uint8Array[],
  index: number,
  chunk: Uint8Array,
): boolean {
  const hash = branchHash(root, proof, index);
  return hash.ok && hash.value === toHex(blake2b256(chunk));
}
