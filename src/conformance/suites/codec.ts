/**
 * Conformance suite `codec` (FORMAT.md): SCALE encodings of the polkadot primitives and the
 * hashes derived from them. Stateless: `given` is `{}`.
 *
 * Ops: `encode {type, value}` → hex, `hash {type, value}` → blake2b-256 of that encoding,
 * `headDataHash {head}` → blake2b-256 of the raw head bytes, `candidateHash {receipt}` → the
 * CandidateHash of a committed receipt (hash of the plain receipt with the commitments hash).
 *
 * Types: the ones FORMAT.md lists (PersistedValidationData, CandidateCommitments, HeadData,
 * CandidateDescriptor (V1 layout), CandidateDescriptorV2) plus CandidateReceipt and
 * CommittedCandidateReceipt (`descriptor` as `{"v1": D}` or `{"v2": D}`), and the signing payloads
 * parapipe uses: CompactStatement (`{"kind": "Seconded"|"Valid", "candidateHash"}`),
 * SigningContext, UMPSignal (`{"selectCore": [selector, offset]}` or `{"approvedPeer": hex}`) and
 * AvailabilityBitfield (array of booleans). Unknown types are vector errors.
 *
 * The readers of shared objects (`readCandidateCommitments`, `readPersistedValidationData`,
 * `readDescriptor`) are exported for other suites.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs, polkadot/parachain/src/primitives.rs (HeadData).
 */
import { concatBytes, fromHex, type Hex, toHex } from "../../lib/hex.ts";
import {
  type CandidateCommitments,
  CandidateCommitments as CandidateCommitmentsCodec,
  type CandidateDescriptor,
  CandidateDescriptor as CandidateDescriptorCodec,
  type CandidateDescriptorV1,
  CandidateDescriptorV1 as CandidateDescriptorV1Codec,
  type CandidateDescriptorV2,
  CandidateDescriptorV2 as CandidateDescriptorV2Codec,
  CandidateReceipt as CandidateReceiptCodec,
  CommittedCandidateReceipt as CommittedCandidateReceiptCodec,
  HeadData as HeadDataCodec,
  type PersistedValidationData,
  PersistedValidationData as PersistedValidationDataCodec,
} from "../../primitives/codecs.ts";
import { hashBytes, hashHex } from "../../primitives/hashing.ts";
import {
  type CompactStatement,
  encodeBitVec,
  encodeCompactStatement,
  SigningContext,
} from "../../primitives/statements.ts";
import { encodeUmpSignal, type UMPSignal } from "../../primitives/ump.ts";
import { describe, type Json, type Reader, VectorError } from "../json.ts";
import { okOutcome, type Suite } from "../suite.ts";
import {
  COMMITMENTS_KEYS,
  HORIZONTAL_MESSAGE_KEYS,
  PERSISTED_VALIDATION_DATA_KEYS,
} from "./parse-prospective.ts";

// ---------------------------------------------------------------------------------------------
// Readers of vector values (path-accurate VectorErrors).

/** An unsigned integer of `bits` bits (u8, u16, u32). */
export function readUint(r: Reader, key: string, bits: 8 | 16 | 32): number {
  const n = r.num(key);
  if (n > 2 ** bits - 1) r.fail(key, `a u${bits} (at most ${2 ** bits - 1})`);
  return n;
}

function readFixedHex(r: Reader, key: string, bytes: number): Hex {
  const v = r.hex(key);
  if (v.length !== 2 + 2 * bytes) r.fail(key, `${bytes} bytes of 0x-hex`);
  return v;
}

function readByteList(r: Reader, key: string): Uint8Array[] {
  return r.hexes(key).map(fromHex);
}

export function readPersistedValidationData(r: Reader): PersistedValidationData {
  r.onlyKeys(PERSISTED_VALIDATION_DATA_KEYS);
  return {
    parentHead: r.hex("parentHead"),
    relayParentNumber: readUint(r, "relayParentNumber", 32),
    relayParentStorageRoot: r.hash("relayParentStorageRoot"),
    maxPovSize: readUint(r, "maxPovSize", 32),
  };
}

/**
 * CandidateCommitments (FORMAT.md shared object). Missing `upwardMessages` /
 * `horizontalMessages` read as empty and a missing `newValidationCode` as null (their identity);
 * the other fields are required.
 */
export function readCandidateCommitments(r: Reader): CandidateCommitments {
  r.onlyKeys(COMMITMENTS_KEYS);
  const horizontal = r.has("horizontalMessages") ? r.objs("horizontalMessages") : [];
  return {
    upwardMessages: r.has("upwardMessages") ? readByteList(r, "upwardMessages") : [],
    horizontalMessages: horizontal.map((m) => {
      m.onlyKeys(HORIZONTAL_MESSAGE_KEYS);
      return { recipient: readUint(m, "recipient", 32), data: fromHex(m.hex("data")) };
    }),
    newValidationCode: r.has("newValidationCode") ? optBytes(r, "newValidationCode") : null,
    headData: r.hex("headData"),
    processedDownwardMessages: readUint(r, "processedDownwardMessages", 32),
    hrmpWatermark: readUint(r, "hrmpWatermark", 32),
  };
}

function optBytes(r: Reader, key: string): Uint8Array | null {
  const v = r.optHex(key);
  return v === null ? null : fromHex(v);
}

const DESCRIPTOR_V1_KEYS = [
  "paraId",
  "relayParent",
  "collator",
  "persistedValidationDataHash",
  "povHash",
  "erasureRoot",
  "signature",
  "paraHead",
  "validationCodeHash",
] as const;

/** The V2 layout's fields, then the reserved bytes a vector may give (see `readDescriptorV2`). */
const DESCRIPTOR_V2_KEYS = [
  "paraId",
  "relayParent",
  "version",
  "coreIndex",
  "sessionIndex",
  "persistedValidationDataHash",
  "povHash",
  "erasureRoot",
  "paraHead",
  "validationCodeHash",
  "reserved1",
  "reserved2",
] as const;

function readDescriptorV1(r: Reader): CandidateDescriptorV1 {
  r.onlyKeys(DESCRIPTOR_V1_KEYS);
  return {
    paraId: readUint(r, "paraId", 32),
    relayParent: r.hash("relayParent"),
    collator: readFixedHex(r, "collator", 32),
    persistedValidationDataHash: r.hash("persistedValidationDataHash"),
    povHash: r.hash("povHash"),
    erasureRoot: r.hash("erasureRoot"),
    signature: readFixedHex(r, "signature", 64),
    paraHead: r.hash("paraHead"),
    validationCodeHash: r.hash("validationCodeHash"),
  };
}

function readDescriptorV2Fields(r: Reader): CandidateDescriptorV2 {
  return {
    paraId: readUint(r, "paraId", 32),
    relayParent: r.hash("relayParent"),
    version: r.has("version") ? readUint(r, "version", 8) : 0,
    coreIndex: readUint(r, "coreIndex", 16),
    sessionIndex: readUint(r, "sessionIndex", 32),
    persistedValidationDataHash: r.hash("persistedValidationDataHash"),
    povHash: r.hash("povHash"),
    erasureRoot: r.hash("erasureRoot"),
    paraHead: r.hash("paraHead"),
    validationCodeHash: r.hash("validationCodeHash"),
  };
}

function u16le(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, n >>> 8]);
}

function u32le(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
}

/**
 * A V2-layout descriptor. The reserved bytes are zero and normally absent; when a vector gives
 * non-zero `reserved1` (25 bytes) / `reserved2` (64 bytes), the same 292 bytes are expressed in
 * the V1 layout (as Rust's `From<CandidateDescriptorV2> for CandidateDescriptor` does: collator =
 * version ++ core index ++ session ++ reserved1, signature = reserved2), which is exactly how
 * polkadot-sdk itself reads such bytes.
 */
function readDescriptorV2(r: Reader): CandidateDescriptor {
  r.onlyKeys(DESCRIPTOR_V2_KEYS);
  const d = readDescriptorV2Fields(r);
  const reserved1 = r.has("reserved1") ? readFixedHex(r, "reserved1", 25) : null;
  const reserved2 = r.has("reserved2") ? readFixedHex(r, "reserved2", 64) : null;
  const zero = (h: Hex | null) => h === null || /^0x(00)*$/.test(h);
  if (zero(reserved1) && zero(reserved2)) return { kind: "v2", ...d };
  const collator = concatBytes(
    new Uint8Array([d.version]),
    u16le(d.coreIndex),
    u32le(d.sessionIndex),
    fromHex(reserved1 ?? `0x${"00".repeat(25)}`),
  );
  return {
    kind: "v1",
    paraId: d.paraId,
    relayParent: d.relayParent,
    collator: toHex(collator),
    persistedValidationDataHash: d.persistedValidationDataHash,
    povHash: d.povHash,
    erasureRoot: d.erasureRoot,
    signature: reserved2 ?? `0x${"00".repeat(64)}`,
    paraHead: d.paraHead,
    validationCodeHash: d.validationCodeHash,
  };
}

/** A tagged descriptor: `{"v1": D}` or `{"v2": D}` at `key`. */
export function readDescriptor(r: Reader, key: string): CandidateDescriptor {
  const t = r.sub(key);
  const keys = Object.keys(t.obj);
  if (keys.length !== 1 || (keys[0] !== "v1" && keys[0] !== "v2")) {
    r.fail(key, 'an object with exactly one key, "v1" or "v2"');
  }
  return keys[0] === "v1"
    ? { kind: "v1", ...readDescriptorV1(t.sub("v1")) }
    : readDescriptorV2(t.sub("v2"));
}

function readCompactStatement(r: Reader): CompactStatement {
  r.onlyKeys(["kind", "candidateHash"]);
  return { kind: r.oneOf("kind", ["Seconded", "Valid"]), candidateHash: r.hash("candidateHash") };
}

function readUmpSignal(r: Reader): UMPSignal {
  const keys = Object.keys(r.obj);
  if (keys.length === 1 && keys[0] === "selectCore") {
    const [selector, offset] = r.nums("selectCore");
    if (r.arr("selectCore").length !== 2 || selector! > 255 || offset! > 255) {
      r.fail("selectCore", "[selector u8, offset u8]");
    }
    return { kind: "SelectCore", coreSelector: selector!, claimQueueOffset: offset! };
  }
  if (keys.length === 1 && keys[0] === "approvedPeer") {
    const peerId = fromHex(r.hex("approvedPeer"));
    if (peerId.length > 64) r.fail("approvedPeer", "at most 64 bytes");
    return { kind: "ApprovedPeer", peerId };
  }
  throw new VectorError(
    `${r.path}: expected {"selectCore": [selector, offset]} or {"approvedPeer": hex}, got ${describe(r.obj)}`,
  );
}

function readBits(value: Json | undefined, path: string): boolean[] {
  if (!Array.isArray(value) || !value.every((b) => typeof b === "boolean")) {
    throw new VectorError(`${path}: expected an array of booleans, got ${describe(value)}`);
  }
  return value as boolean[];
}

// ---------------------------------------------------------------------------------------------

const TYPES = [
  "PersistedValidationData",
  "CandidateCommitments",
  "HeadData",
  "CandidateDescriptor",
  "CandidateDescriptorV2",
  "CandidateReceipt",
  "CommittedCandidateReceipt",
  "CompactStatement",
  "SigningContext",
  "UMPSignal",
  "AvailabilityBitfield",
] as const;
type TypeName = (typeof TYPES)[number];

/** A value read as an object; a V1 descriptor may also be given tagged, `{"v1": D}`. */
function valueObject(step: Reader): Reader {
  return step.sub("value");
}

/** The SCALE encoding of the step's `value` as type `type`. */
function encodeValue(step: Reader): Uint8Array {
  const type = step.oneOf<TypeName>("type", TYPES);
  switch (type) {
    case "PersistedValidationData":
      return PersistedValidationDataCodec.enc(readPersistedValidationData(valueObject(step)));
    case "CandidateCommitments":
      return CandidateCommitmentsCodec.enc(readCandidateCommitments(valueObject(step)));
    case "HeadData":
      return HeadDataCodec.enc(step.hex("value"));
    case "CandidateDescriptor": {
      const v = valueObject(step);
      const keys = Object.keys(v.obj);
      if (keys.length === 1 && (keys[0] === "v1" || keys[0] === "v2")) {
        return CandidateDescriptorCodec.enc(readDescriptor(step, "value"));
      }
      return CandidateDescriptorV1Codec.enc(readDescriptorV1(v));
    }
    case "CandidateDescriptorV2": {
      const d = readDescriptorV2(valueObject(step));
      return d.kind === "v2" ? CandidateDescriptorV2Codec.enc(d) : CandidateDescriptorCodec.enc(d);
    }
    case "CandidateReceipt": {
      const v = valueObject(step).onlyKeys(["descriptor", "commitmentsHash"]);
      return CandidateReceiptCodec.enc({
        descriptor: readDescriptor(v, "descriptor"),
        commitmentsHash: v.hash("commitmentsHash"),
      });
    }
    case "CommittedCandidateReceipt": {
      const v = valueObject(step).onlyKeys(["descriptor", "commitments"]);
      return CommittedCandidateReceiptCodec.enc({
        descriptor: readDescriptor(v, "descriptor"),
        commitments: readCandidateCommitments(v.sub("commitments")),
      });
    }
    case "CompactStatement":
      return encodeCompactStatement(readCompactStatement(valueObject(step)));
    case "SigningContext": {
      const v = valueObject(step).onlyKeys(["sessionIndex", "parentHash"]);
      return SigningContext.enc({
        sessionIndex: readUint(v, "sessionIndex", 32),
        parentHash: v.hash("parentHash"),
      });
    }
    case "UMPSignal":
      return encodeUmpSignal(readUmpSignal(valueObject(step)));
    case "AvailabilityBitfield":
      return encodeBitVec(readBits(step.raw("value"), step.at("value")));
  }
}

/**
 * `CommittedCandidateReceipt::hash()`: blake2b-256 of the plain receipt
 * `{descriptor, commitments_hash}`. The receipt may give `commitmentsHash` directly instead of
 * `commitments` (then it is a plain `CandidateReceipt`).
 */
function candidateHash(receipt: Reader): Hex {
  receipt.onlyKeys(["descriptor", "commitments", "commitmentsHash"]);
  const descriptor = readDescriptor(receipt, "descriptor");
  const commitmentsHash =
    receipt.has("commitments") || !receipt.has("commitmentsHash")
      ? hashBytes(
          CandidateCommitmentsCodec.enc(readCandidateCommitments(receipt.sub("commitments"))),
        )
      : receipt.hash("commitmentsHash");
  return hashBytes(CandidateReceiptCodec.enc({ descriptor, commitmentsHash }));
}

export const codecSuite: Suite = {
  name: "codec",
  givenKeys: [],
  ops: {
    encode: ["type", "value"],
    hash: ["type", "value"],
    headDataHash: ["head"],
    candidateHash: ["receipt"],
  },
  init() {
    // Stateless: `given` is `{}` and nothing in it is read.
    return (op, step) => {
      switch (op) {
        case "encode":
          return okOutcome(toHex(encodeValue(step)));
        case "hash":
          return okOutcome(hashBytes(encodeValue(step)));
        case "headDataHash":
          return okOutcome(hashHex(step.hex("head")));
        case "candidateHash":
          return okOutcome(candidateHash(step.sub("receipt")));
      }
      throw new VectorError(
        `unknown op ${JSON.stringify(op)} of suite "codec" (encode, hash, headDataHash, candidateHash)`,
      );
    };
  },
};
