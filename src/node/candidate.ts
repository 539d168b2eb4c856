/**
 * Candidate hashes as the node computes them: `CandidateCommitments::hash()`,
 * `CommittedCandidateReceipt::hash()` (= the hash of the plain `CandidateReceipt`, i.e. of the
 * descriptor and the commitments hash) and `PersistedValidationData::hash()`.
 *
 * Invariant: receipts and PVDs are immutable once built (the whole node shares them), so the
 * hashes are memoised per object (a `WeakMap`: the same receipt object reaching 600 validators is
 * hashed once). Deterministic: the memo never changes a result, only whether it is recomputed.
 *
 * Kept in `node/` rather than imported from `relay/` because the node and the runtime are two
 * independent statements of the rules (docs/architecture.md); both derive from the same codecs.
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (CandidateCommitments::hash, CandidateReceipt::hash,
 *      CommittedCandidateReceipt::hash, PersistedValidationData::hash).
 */
import type { Hash } from "../lib/hex.ts";
import {
  CandidateCommitments,
  type CandidateHash,
  CandidateReceipt,
  type CommittedCandidateReceipt,
  PersistedValidationData,
} from "../primitives/codecs.ts";
import { hashBytes } from "../primitives/hashing.ts";

const commitmentsMemo = new WeakMap<CandidateCommitments, Hash>();
const receiptMemo = new WeakMap<CommittedCandidateReceipt, CandidateHash>();
const pvdMemo = new WeakMap<PersistedValidationData, Hash>();

/** `CandidateCommitments::hash()`: blake2b-256 of the SCALE encoding. */
export function commitmentsHash(commitments: CandidateCommitments): Hash {
  let h = commitmentsMemo.get(commitments);
  if (h === undefined) {
    h = hashBytes(CandidateCommitments.enc(commitments));
    commitmentsMemo.set(commitments, h);
  }
  return h;
}

/** `CommittedCandidateReceipt::hash()`: the hash of `{descriptor, commitments_hash}`. */
export function candidateHashOf(receipt: CommittedCandidateReceipt): CandidateHash {
  let h = receiptMemo.get(receipt);
  if (h === undefined) {
    h = hashBytes(
      CandidateReceipt.enc({
        descriptor: receipt.descriptor,
        commitmentsHash: commitmentsHash(receipt.commitments),
      }),
    );
    receiptMemo.set(receipt, h);
  }
  return h;
}

/** `PersistedValidationData::hash()`. */
export function pvdHash(pvd: PersistedValidationData): Hash {
  let h = pvdMemo.get(pvd);
  if (h === undefined) {
    h = hashBytes(PersistedValidationData.enc(pvd));
    pvdMemo.set(pvd, h);
  }
  return h;
}
