/**
 * Candidate identities: `CandidateCommitments::hash()`, `CommittedCandidateReceipt::to_plain()`,
 * the `CandidateHash` (blake2-256 of the encoded plain receipt) and `PersistedValidationData::hash()`,
 * as on chain. The relay runtime, the validator node and the collators all name candidates by these
 * hashes, so they are computed here once.
 *
 * Invariants: a candidate's hash depends on its descriptor and the HASH of its commitments only, so
 * a committed receipt and its plain receipt have the same `CandidateHash`. Receipts, commitments
 * and PVDs are immutable values (their types are readonly), so hashes are memoised per object in
 * `WeakMap`s (one receipt object reaching hundreds of validators is hashed once); a memo never
 * changes a result, only whether it is recomputed, so determinism is unaffected.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (CandidateCommitments::hash, CandidateReceiptV2::hash,
 *      CommittedCandidateReceiptV2::to_plain / hash, PersistedValidationData::hash).
 */
import type { Hash } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import {
  type CandidateCommitments,
  CandidateCommitments as CandidateCommitmentsCodec,
  type CandidateHash,
  type CandidateReceipt,
  CandidateReceipt as CandidateReceiptCodec,
  type CommittedCandidateReceipt,
  type PersistedValidationData,
  PersistedValidationData as PersistedValidationDataCodec,
} from "./codecs.ts";
import { hashBytes } from "./hashing.ts";

const commitmentsMemo = new WeakMap<CandidateCommitments, Hash>();
const receiptMemo = new WeakMap<CommittedCandidateReceipt, CandidateHash>();
const pvdMemo = new WeakMap<PersistedValidationData, Hash>();
// The memos' computations, module-level so that a lookup allocates no closure.
const hashCommitments = (c: CandidateCommitments): Hash =>
  hashBytes(CandidateCommitmentsCodec.enc(c));
const hashReceipt = (r: CommittedCandidateReceipt): CandidateHash => plainCandidateHash(toPlain(r));
const hashPvd = (p: PersistedValidationData): Hash =>
  hashBytes(PersistedValidationDataCodec.enc(p));

/** `CandidateCommitments::hash()`: blake2-256 of the encoding. */
export function commitmentsHash(commitments: CandidateCommitments): Hash {
  return getOrInsertComputed(commitmentsMemo, commitments, hashCommitments);
}

/** `CommittedCandidateReceipt::to_plain()`. */
export function toPlain(receipt: CommittedCandidateReceipt): CandidateReceipt {
  return { descriptor: receipt.descriptor, commitmentsHash: commitmentsHash(receipt.commitments) };
}

/** `CandidateReceipt::hash()`: blake2-256 of the encoded plain receipt. */
export function plainCandidateHash(receipt: CandidateReceipt): CandidateHash {
  return hashBytes(CandidateReceiptCodec.enc(receipt));
}

/** `CommittedCandidateReceipt::hash()`: the `CandidateHash` of its plain receipt. */
export function candidateHash(receipt: CommittedCandidateReceipt): CandidateHash {
  return getOrInsertComputed(receiptMemo, receipt, hashReceipt);
}

/** `PersistedValidationData::hash()`: blake2-256 of the encoding. */
export function pvdHash(pvd: PersistedValidationData): Hash {
  return getOrInsertComputed(pvdMemo, pvd, hashPvd);
}
