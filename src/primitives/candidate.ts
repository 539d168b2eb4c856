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

/** `CandidateCommitments::hash()`: blake2-256 of the encoding. */
export function commitmentsHash(commitments: CandidateCommitments): Hash {
  let h = commitmentsMemo.get(commitments);
  if (h === undefined) {
    h = hashBytes(CandidateCommitmentsCodec.enc(commitments));
    commitmentsMemo.set(commitments, h);
  }
  return h;
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
  let h = receiptMemo.get(receipt);
  if (h === undefined) {
    h = plainCandidateHash(toPlain(receipt));
    receiptMemo.set(receipt, h);
  }
  return h;
}

/** `PersistedValidationData::hash()`: blake2-256 of the encoding. */
export function pvdHash(pvd: PersistedValidationData): Hash {
  let h = pvdMemo.get(pvd);
  if (h === undefined) {
    h = hashBytes(PersistedValidationDataCodec.enc(pvd));
    pvdMemo.set(pvd, h);
  }
  return h;
}
