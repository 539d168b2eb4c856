/**
 * What validators sign: backing statements (`CompactStatement` in a `SigningContext`), availability
 * bitfields and approval votes, with their exact SCALE signing payloads, and sign/verify helpers
 * over the `Crypto` interface.
 *
 * Encodings (polkadot-sdk, byte for byte):
 * - `CompactStatement` = `b"BKNG"` ++ variant (`Seconded` = 1, `Valid` = 2) ++ candidate hash
 *   (37 bytes; the magic makes a backing statement unlike any other signed payload). Decoding
 *   rejects a wrong magic ("invalid magic string") or an unknown variant.
 * - `SigningContext { session_index: u32, parent_hash: H256 }` = u32 LE ++ 32 bytes.
 * - Signed payload of a `Signed<P>` = `P.encode() ++ context.encode()` (`UncheckedSigned::payload_data`);
 *   `ValidityAttestation::signed_payload`: `Implicit` ↔ `Seconded`, `Explicit` ↔ `Valid`.
 * - `AvailabilityBitfield(BitVec<u8, Lsb0>)` = `Compact<u32>(bit count)` ++ ceil(n/8) bytes, bit i
 *   at byte i/8, bit position i%8 (least significant first), unused high bits zero.
 * - `ApprovalVote(hash).signing_payload(session)` = `b"APPR"` ++ hash ++ u32 LE;
 *   `ApprovalVoteMultipleCandidates`: the same for one candidate, else `b"APPR"` ++
 *   `Vec<CandidateHash>` ++ u32 LE.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (CompactStatement, BACKING_STATEMENT_MAGIC,
 *      SigningContext, ValidityAttestation, AvailabilityBitfield, ApprovalVote,
 *      ApprovalVoteMultipleCandidates), polkadot/primitives/src/v9/signed.rs (payload_data).
 */
import { type Codec, type CodecType, createCodec, createDecoder, Struct, u32 } from "scale-ts";
import { concatBytes, fromHex, type Hash, isHex, toHex } from "../lib/hex.ts";
import type { Result } from "../lib/result.ts";
import { err, ok } from "../lib/result.ts";
import { type CandidateHash, H256, type SessionIndex } from "./codecs.ts";
import type { Crypto } from "./signing.ts";
import { decodeCompactU32, encodeCompactU32 } from "./ump.ts";

/** `BACKING_STATEMENT_MAGIC = *b"BKNG"`. */
export const BACKING_STATEMENT_MAGIC: Uint8Array = new Uint8Array([0x42, 0x4b, 0x4e, 0x47]);
/** The magic of approval votes, `*b"APPR"`. */
export const APPROVAL_VOTE_MAGIC: Uint8Array = new Uint8Array([0x41, 0x50, 0x50, 0x52]);

/** `CompactStatement`: what backers sign about a candidate. */
export type CompactStatement =
  | { readonly kind: "Seconded"; readonly candidateHash: CandidateHash }
  | { readonly kind: "Valid"; readonly candidateHash: CandidateHash };

const COMPACT_STATEMENT_BYTES = 4 + 1 + 32;

export function encodeCompactStatement(statement: CompactStatement): Uint8Array {
  const out = new Uint8Array(COMPACT_STATEMENT_BYTES);
  out.set(BACKING_STATEMENT_MAGIC, 0);
  out[4] = statement.kind === "Seconded" ? 1 : 2;
  out.set(fromHex(statement.candidateHash), 5);
  return out;
}

export type CompactStatementDecodeError =
  | { readonly code: "InvalidMagic" }
  | { readonly code: "UnknownVariant"; readonly index: number }
  | { readonly code: "NotEnoughData" };

/** `CompactStatement::decode` from a prefix of `bytes` (trailing bytes are not read). */
export function decodeCompactStatement(
  bytes: Uint8Array,
): Result<CompactStatement, CompactStatementDecodeError> {
  if (bytes.length < 4) return err({ code: "NotEnoughData" });
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== BACKING_STATEMENT_MAGIC[i]) return err({ code: "InvalidMagic" });
  }
  const variant = bytes[4];
  if (variant === undefined) return err({ code: "NotEnoughData" });
  if (variant !== 1 && variant !== 2) return err({ code: "UnknownVariant", index: variant });
  if (bytes.length < COMPACT_STATEMENT_BYTES) return err({ code: "NotEnoughData" });
  const candidateHash = toHex(bytes.slice(5, COMPACT_STATEMENT_BYTES));
  return ok({ kind: variant === 1 ? "Seconded" : "Valid", candidateHash });
}

/**
 * `CompactStatement` as a scale-ts codec, to compose with other codecs. Its decoder throws on
 * malformed input (as every scale-ts decoder does); use `decodeCompactStatement` for untrusted
 * bytes.
 */
export const CompactStatementCodec: Codec<CompactStatement> = createCodec(
  encodeCompactStatement,
  createDecoder((input) => {
    // scale-ts hands a cursor (`i`) over its internal buffer.
    // (`subarray` would go through its subclass constructor, so build a plain view).
    const cursor = input as Uint8Array & { i: number };
    const rest = new Uint8Array(input.buffer, input.byteOffset + cursor.i, input.length - cursor.i);
    const r = decodeCompactStatement(rest);
    if (!r.ok) throw new Error(`CompactStatement: ${r.error.code}`);
    cursor.i += COMPACT_STATEMENT_BYTES;
    return r.value;
  }),
);

/** `SigningContext { session_index, parent_hash }`. */
export const SigningContext = Struct({ sessionIndex: u32, parentHash: H256 });
export type SigningContext = CodecType<typeof SigningContext>;

/** `(payload, context).encode()`: what a `Signed<P>` signature covers. */
export function signedPayloadData(payload: Uint8Array, context: SigningContext): Uint8Array {
  return concatBytes(payload, SigningContext.enc(context));
}

/** `CompactStatement::signing_payload(context)`. */
export function statementSigningPayload(
  statement: CompactStatement,
  context: SigningContext,
): Uint8Array {
  return signedPayloadData(encodeCompactStatement(statement), context);
}

export function signStatement(
  crypto: Crypto,
  secretKey: Uint8Array,
  statement: CompactStatement,
  context: SigningContext,
): Uint8Array {
  return crypto.sign(secretKey, statementSigningPayload(statement, context));
}

/** `UncheckedSigned::check_signature` for a backing statement. */
export function verifyStatement(
  crypto: Crypto,
  statement: CompactStatement,
  context: SigningContext,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return crypto.verify(statementSigningPayload(statement, context), signature, publicKey);
}

/** `ValidityAttestation`: a backing vote as the runtime stores it (SCALE indices 1 and 2). */
export type ValidityAttestation =
  | { readonly kind: "Implicit"; readonly signature: Uint8Array }
  | { readonly kind: "Explicit"; readonly signature: Uint8Array };

/** `ValidityAttestation::to_compact_statement`: `Implicit` is a `Seconded`, `Explicit` a `Valid`. */
export function attestationStatement(
  attestation: ValidityAttestation,
  candidateHash: CandidateHash,
): CompactStatement {
  return attestation.kind === "Implicit"
    ? { kind: "Seconded", candidateHash }
    : { kind: "Valid", candidateHash };
}

/** `ValidityAttestation::signed_payload(candidate_hash, signing_context)`. */
export function attestationSignedPayload(
  attestation: ValidityAttestation,
  candidateHash: CandidateHash,
  context: SigningContext,
): Uint8Array {
  return statementSigningPayload(attestationStatement(attestation, candidateHash), context);
}

/** Checks a backing vote's signature against the validator's public key. */
export function verifyAttestation(
  crypto: Crypto,
  attestation: ValidityAttestation,
  candidateHash: CandidateHash,
  context: SigningContext,
  publicKey: Uint8Array,
): boolean {
  return crypto.verify(
    attestationSignedPayload(attestation, candidateHash, context),
    attestation.signature,
    publicKey,
  );
}

// ---------------------------------------------------------------------------------------------
// Availability bitfields.

/** `AvailabilityBitfield`: one bit per availability core, true = the validator holds its chunk. */
export type AvailabilityBitfield = readonly boolean[];

/** SCALE encoding of `BitVec<u8, Lsb0>`. */
export function encodeBitVec(bits: readonly boolean[]): Uint8Array {
  const body = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit) body[i >> 3] = body[i >> 3]! | (1 << (i & 7));
  });
  return concatBytes(encodeCompactU32(bits.length), body);
}

/** Decoding of `BitVec<u8, Lsb0>` from a prefix of `bytes`; null when malformed. */
export function decodeBitVec(bytes: Uint8Array): boolean[] | null {
  const len = decodeCompactU32(bytes, 0);
  if (len === null) return null;
  const byteLen = Math.ceil(len.value / 8);
  if (len.next + byteLen > bytes.length) return null;
  return Array.from(
    { length: len.value },
    (_, i) => ((bytes[len.next + (i >> 3)]! >> (i & 7)) & 1) === 1,
  );
}

/** The payload a signed availability bitfield covers: `(bitfield, context).encode()`. */
export function bitfieldSigningPayload(
  bitfield: AvailabilityBitfield,
  context: SigningContext,
): Uint8Array {
  return signedPayloadData(encodeBitVec(bitfield), context);
}

export function signBitfield(
  crypto: Crypto,
  secretKey: Uint8Array,
  bitfield: AvailabilityBitfield,
  context: SigningContext,
): Uint8Array {
  return crypto.sign(secretKey, bitfieldSigningPayload(bitfield, context));
}

export function verifyBitfield(
  crypto: Crypto,
  bitfield: AvailabilityBitfield,
  context: SigningContext,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return crypto.verify(bitfieldSigningPayload(bitfield, context), signature, publicKey);
}

// ---------------------------------------------------------------------------------------------
// Approval votes.

/** `ApprovalVote(candidate_hash).signing_payload(session_index)`. */
export function approvalVoteSigningPayload(
  candidateHash: CandidateHash,
  sessionIndex: SessionIndex,
): Uint8Array {
  return concatBytes(APPROVAL_VOTE_MAGIC, fromHex(candidateHash), u32.enc(sessionIndex));
}

/**
 * `ApprovalVoteMultipleCandidates(hashes).signing_payload(session_index)`: identical to a single
 * `ApprovalVote` for one candidate (backwards compatibility), else the hashes as a `Vec`.
 */
export function approvalVoteMultipleCandidatesSigningPayload(
  candidateHashes: readonly Hash[],
  sessionIndex: SessionIndex,
): Uint8Array {
  if (candidateHashes.length === 1) {
    return approvalVoteSigningPayload(candidateHashes[0]!, sessionIndex);
  }
  for (const h of candidateHashes) {
    if (!isHex(h, 32)) throw new RangeError(`not a candidate hash: ${h}`);
  }
  return concatBytes(
    APPROVAL_VOTE_MAGIC,
    encodeCompactU32(candidateHashes.length),
    ...candidateHashes.map(fromHex),
    u32.enc(sessionIndex),
  );
}
