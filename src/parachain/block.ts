/**
 * The parachain block: its header (SCALE-encoded as Substrate's `Header<u32, BlakeTwo256>`, with
 * cumulus' digest items), the inherent data it carries (the validation data and a model of the
 * relay-chain state proof), its timestamp and its transfers; head data and block hash; the PoV
 * model (hash and size) the collator ships to validators.
 *
 * Invariants:
 * - Head data = the encoded header; block hash = blake2b-256(head data). So the hash the relay
 *   chain stores for a para head (`Paras::Heads`) names the block, as cumulus relies on
 *   (`maybe_drop_included_ancestors`, parent search).
 * - Digest items, in this order when present: `PreRuntime(aura, Slot)`, `Consensus(CMLS,
 *   CoreInfo)` (pre-digests the collator supplies), `Consensus(RPSR, (storage root, number))` and
 *   `Consensus(CMLS, RelayParent(hash))` (deposited by the runtime from the inherent).
 * - The extrinsics root binds every extrinsic: the inherent (validation data and relay state), the
 *   timestamp and the transfers. A change to any of them changes the root.
 * - A `ParaBlock` and its parts are never mutated once built; copy to tamper (`Transfers.clone`).
 *
 * Simplifications (modelled, honest):
 * - Roots are blake2b-256 over the concatenated encodings, not Merkle-Patricia trie roots.
 * - The relay-chain state proof is a snapshot of the values cumulus reads from it, taken from the
 *   relay runtime API at the relay parent, bound to the relay parent's storage root by equality
 *   (`RelayChainStateSnapshot.stateRoot`), not by Merkle proofs: it can be forged by a dishonest
 *   collator.
 * - PoV: `blockData` is the block object (not byte-encoded, too costly); its modelled size is
 *   header + inherent + a relay state proof of `RELAY_STATE_PROOF_BYTES` + Σ txProofBytes (the
 *   storage witness of the transfers); its hash binds the header hash and the extrinsics root.
 *
 * Ref: substrate/primitives/runtime/src/generic/{header.rs, digest.rs},
 *      cumulus/primitives/core/src/lib.rs (CumulusDigestItem, CoreInfo, rpsr_digest),
 *      cumulus/primitives/parachain-inherent (ParachainInherentData),
 *      cumulus/pallets/parachain-system/src/relay_state_snapshot.rs (what the proof is read for).
 */

import { blake2b } from "@noble/hashes/blake2.js";
import { Bytes, compact, Enum, Option, Struct, Tuple, u8, u32, Vector } from "scale-ts";
import type { RuntimeConfig } from "../config/parachain-runtime.ts";
import { assert } from "../lib/assert.ts";
import { concatBytes, fromHex, type Hash, toHex } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import {
  type BlockNumber,
  H256,
  type HeadData,
  HeadData as HeadDataCodec,
  PersistedValidationData,
} from "../primitives/codecs.ts";
import { blake2b256, hashBytes } from "../primitives/hashing.ts";
import { decodeCompactU32, encodeCompactU32 } from "../primitives/ump.ts";
import { Transfers } from "./ledger.ts";
import type { UpgradeGoAhead } from "./unincluded-segment.ts";

const utf8 = new TextEncoder();
const AURA_ENGINE_ID = utf8.encode("aura");
const CUMULUS_CONSENSUS_ID = utf8.encode("CMLS");
const RPSR_CONSENSUS_ID = utf8.encode("RPSR");
const TWO_POW_32 = 0x1_0000_0000;

/** Modelled size of the relay-chain state proof in a PoV (a few storage items with their paths). */
export const RELAY_STATE_PROOF_BYTES = 8 * 1024;

/** The timestamp inherent's argument in a PoV (`pallet_timestamp::set(now: u64)`), bytes. */
const TIMESTAMP_INHERENT_BYTES = 8;

/** `CumulusDigestItem::CoreInfo` (same shape as the collator's `CoreInfo`). */
export interface CoreInfo {
  readonly selector: number;
  readonly claimQueueOffset: number;
  readonly numberOfCores: number;
}

/** The digest items parapipe's para blocks carry (null: absent, as in the genesis header). */
export interface ParaDigest {
  /** `PreRuntime(aura, Slot)`. */
  readonly auraSlot: number | null;
  /** `Consensus(CMLS, CoreInfo)`: the slot-based collator's core selection. */
  readonly coreInfo: CoreInfo | null;
  /** `Consensus(RPSR, (relay parent storage root, relay parent number))`. */
  readonly relayParentStorageRoot: Hash | null;
  readonly relayParentNumber: BlockNumber | null;
  /** `Consensus(CMLS, RelayParent(hash))`. */
  readonly relayParent: Hash | null;
}

export interface ParaHeader {
  readonly parentHash: Hash;
  readonly number: BlockNumber;
  readonly stateRoot: Hash;
  readonly extrinsicsRoot: Hash;
  readonly digest: ParaDigest;
}

export const EMPTY_DIGEST: ParaDigest = {
  auraSlot: null,
  coreInfo: null,
  relayParentStorageRoot: null,
  relayParentNumber: null,
  relayParent: null,
};

// ---------------------------------------------------------------------------------------------
// Header codec

const EngineItem = Tuple(Bytes(4), Bytes());
const DigestItem = Enum(
  { Other: Bytes(), Consensus: EngineItem, Seal: EngineItem, PreRuntime: EngineItem },
  [0, 4, 5, 6],
);
type DigestItem = ReturnType<typeof DigestItem.dec>;
const RawHeader = Struct({
  parentHash: H256,
  number: compact,
  stateRoot: H256,
  extrinsicsRoot: H256,
  digest: Vector(DigestItem),
});
const RpsrPayload = Tuple(H256, u32);

function u64le(n: number): Uint8Array {
  assert(Number.isSafeInteger(n) && n >= 0, () => `not a u64 in the safe range: ${n}`);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, n % TWO_POW_32, true);
  view.setUint32(4, Math.floor(n / TWO_POW_32), true);
  return out;
}

function readU64le(bytes: Uint8Array, offset = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * TWO_POW_32;
}

function sameId(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === 4 && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

function digestItems(d: ParaDigest): DigestItem[] {
  const items: DigestItem[] = [];
  if (d.auraSlot !== null)
    items.push({ tag: "PreRuntime", value: [AURA_ENGINE_ID, u64le(d.auraSlot)] });
  if (d.coreInfo !== null) {
    const c = d.coreInfo;
    const payload = concatBytes(
      new Uint8Array([1, c.selector, c.claimQueueOffset]),
      encodeCompactU32(c.numberOfCores),
    );
    items.push({ tag: "Consensus", value: [CUMULUS_CONSENSUS_ID, payload] });
  }
  if (d.relayParentStorageRoot !== null) {
    assert(d.relayParentNumber !== null, "RPSR digest needs the relay parent number");
    const payload = RpsrPayload.enc([d.relayParentStorageRoot, d.relayParentNumber]);
    items.push({ tag: "Consensus", value: [RPSR_CONSENSUS_ID, payload] });
  }
  if (d.relayParent !== null) {
    const payload = concatBytes(new Uint8Array([0]), fromHex(d.relayParent));
    items.push({ tag: "Consensus", value: [CUMULUS_CONSENSUS_ID, payload] });
  }
  return items;
}

function parseDigest(items: readonly DigestItem[]): ParaDigest {
  let auraSlot: number | null = null;
  let coreInfo: CoreInfo | null = null;
  let relayParentStorageRoot: Hash | null = null;
  let relayParentNumber: number | null = null;
  let relayParent: Hash | null = null;
  for (const item of items) {
    if (item.tag === "PreRuntime" && sameId(item.value[0], AURA_ENGINE_ID)) {
      auraSlot = readU64le(item.value[1]);
    } else if (item.tag === "Consensus" && sameId(item.value[0], RPSR_CONSENSUS_ID)) {
      [relayParentStorageRoot, relayParentNumber] = RpsrPayload.dec(item.value[1]);
    } else if (item.tag === "Consensus" && sameId(item.value[0], CUMULUS_CONSENSUS_ID)) {
      const p = item.value[1];
      if (p[0] === 0 && p.length >= 33) relayParent = toHex(p.subarray(1, 33));
      else if (p[0] === 1 && p.length >= 4) {
        const n = decodeCompactU32(p, 3);
        if (n !== null)
          coreInfo = { selector: p[1]!, claimQueueOffset: p[2]!, numberOfCores: n.value };
      }
    }
  }
  return { auraSlot, coreInfo, relayParentStorageRoot, relayParentNumber, relayParent };
}

/**
 * Encodings by object: headers and inherents are immutable, and a block's are encoded by its
 * builder several times (budget, roots, PoV size) and by every validator checking its PoV size.
 * Callers must not modify the bytes returned.
 */
const headerBytes = new WeakMap<ParaHeader, Uint8Array>();
const inherentBytes = new WeakMap<ParachainInherentData, Uint8Array>();

export function encodeHeader(h: ParaHeader): Uint8Array {
  return getOrInsertComputed(headerBytes, h, encodeHeaderUncached);
}

function encodeHeaderUncached(h: ParaHeader): Uint8Array {
  return RawHeader.enc({
    parentHash: h.parentHash,
    number: h.number,
    stateRoot: h.stateRoot,
    extrinsicsRoot: h.extrinsicsRoot,
    digest: digestItems(h.digest),
  });
}

export function decodeHeader(bytes: Uint8Array): ParaHeader {
  const raw = RawHeader.dec(bytes);
  return {
    parentHash: raw.parentHash,
    number: Number(raw.number),
    stateRoot: raw.stateRoot,
    extrinsicsRoot: raw.extrinsicsRoot,
    digest: parseDigest(raw.digest),
  };
}

/** Head data of a block: its encoded header, as 0x-hex. */
export function headData(h: ParaHeader): HeadData {
  return toHex(encodeHeader(h));
}

/** The header a head data encodes (for reports and for collators decoding a PVD's parent). */
export function decodeHeadData(head: HeadData): ParaHeader {
  return decodeHeader(fromHex(head));
}

/** Block hash: blake2b-256 of the encoded header (= of the head data). */
export function blockHash(h: ParaHeader): Hash {
  return hashBytes(encodeHeader(h));
}

// ---------------------------------------------------------------------------------------------
// Inherent data

/**
 * What the collator reads from the relay chain's state at the relay parent for the
 * `set_validation_data` inherent (`RelayChainStateProof` in cumulus), as a snapshot.
 */
export interface RelayChainStateSnapshot {
  /** The relay parent's hash (deposited as `CumulusDigestItem::RelayParent`). */
  readonly relayParent: Hash;
  /** The storage root the proof is against: must equal `relay_parent_storage_root`. */
  readonly stateRoot: Hash;
  /** BABE `CurrentSlot` at the relay parent. */
  readonly currentSlot: number;
  /** `Paras::Heads[para]`: the para's included head, if the proof carries it. */
  readonly includedParaHead: HeadData | null;
  /** `RelayDispatchQueueRemainingCapacity` of the para's UMP queue. */
  readonly relayDispatchQueueRemainingCapacity: {
    readonly remainingCount: number;
    readonly remainingSize: number;
  };
  /** Host configuration: `max_upward_message_num_per_candidate`. */
  readonly maxUpwardMessageNumPerCandidate: number;
  /** `UpgradeGoAheadSignal[para]`. */
  readonly upgradeGoAhead: UpgradeGoAhead | null;
  /** `UpgradeRestrictionSignal[para]`. */
  readonly upgradeRestriction: "Present" | null;
}

/** `ParachainInherentData` (the parts modelled): validation data and the relay state. */
export interface ParachainInherentData {
  readonly validationData: PersistedValidationData;
  readonly relayChainState: RelayChainStateSnapshot;
}

const GoAheadCodec = Option(u8);
const RelayStateCodec = Struct({
  relayParent: H256,
  stateRoot: H256,
  currentSlot: Bytes(8),
  includedParaHead: Option(HeadDataCodec),
  remainingCount: u32,
  remainingSize: u32,
  maxUpwardMessageNumPerCandidate: u32,
  upgradeGoAhead: GoAheadCodec,
  upgradeRestriction: GoAheadCodec,
});

export function encodeInherent(inherent: ParachainInherentData): Uint8Array {
  return getOrInsertComputed(inherentBytes, inherent, encodeInherentUncached);
}

function encodeInherentUncached(inherent: ParachainInherentData): Uint8Array {
  const s = inherent.relayChainState;
  return concatBytes(
    PersistedValidationData.enc(inherent.validationData),
    RelayStateCodec.enc({
      relayParent: s.relayParent,
      stateRoot: s.stateRoot,
      currentSlot: u64le(s.currentSlot),
      includedParaHead: s.includedParaHead ?? undefined,
      remainingCount: s.relayDispatchQueueRemainingCapacity.remainingCount,
      remainingSize: s.relayDispatchQueueRemainingCapacity.remainingSize,
      maxUpwardMessageNumPerCandidate: s.maxUpwardMessageNumPerCandidate,
      upgradeGoAhead: s.upgradeGoAhead === null ? undefined : s.upgradeGoAhead === "Abort" ? 0 : 1,
      upgradeRestriction: s.upgradeRestriction === null ? undefined : 0,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The block

export interface ParaBlock {
  readonly header: ParaHeader;
  /** The `set_validation_data` inherent. */
  readonly inherent: ParachainInherentData;
  /** The `pallet_timestamp::set` inherent, ms. */
  readonly timestampMs: number;
  readonly transfers: Transfers;
  /**
   * A `frame_system::set_code` call (Root) after the inherents: the runtime to schedule as the
   * para's next code (parachain-system's `schedule_code_upgrade`). Absent in most blocks.
   */
  readonly setCode?: RuntimeConfig;
  /**
   * Simulator bookkeeping, NOT consensus data (neither encoded nor hashed): the index of the
   * first transaction of the para's pool not considered by this chain (the pool prunes what a
   * chain included, as Substrate's pool does on import).
   */
  readonly poolCursor: number;
}

/**
 * The extrinsics root: blake2b-256 over the encoded extrinsics (inherent, timestamp, transfers),
 * hashed as one stream (one hash per block, not one per transaction: ~4 ms for 10^4 transfers).
 */
export function extrinsicsRoot(
  inherent: ParachainInherentData,
  timestampMs: number,
  transfers: Transfers,
  setCode: Uint8Array | null = null,
): Hash {
  const h = blake2b
    .create({ dkLen: 32 })
    .update(encodeInherent(inherent))
    .update(u64le(timestampMs))
    .update(Transfers.encode(transfers));
  // The `set_code` call, when the block carries one (its code is the call's argument).
  if (setCode !== null) h.update(setCode);
  return toHex(h.digest());
}

const POV_DOMAIN = utf8.encode("parapipe/pov");

/** `PoV::hash()` modelled: binds the header hash and the extrinsics root. */
export function povHash(headerHash: Hash, extrinsicsRootHash: Hash): Hash {
  return toHex(
    blake2b256(concatBytes(POV_DOMAIN, fromHex(headerHash), fromHex(extrinsicsRootHash))),
  );
}

/** Modelled PoV size of a block (see the header), bytes. */
export function povSizeBytes(block: ParaBlock, txProofBytes: number): number {
  return (
    encodeHeader(block.header).length +
    encodeInherent(block.inherent).length +
    TIMESTAMP_INHERENT_BYTES +
    RELAY_STATE_PROOF_BYTES +
    block.transfers.count * txProofBytes
  );
}

/** PoV bytes of a block before its transfers (what the builder budgets first). */
export function povBaseBytes(header: ParaHeader, inherent: ParachainInherentData): number {
  return (
    encodeHeader(header).length +
    encodeInherent(inherent).length +
    TIMESTAMP_INHERENT_BYTES +
    RELAY_STATE_PROOF_BYTES
  );
}
