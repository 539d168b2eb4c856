/**
 * Elastic-scaling core selection: which core a candidate is committed to, and the check that its
 * descriptor's core index agrees (`CommittedCandidateReceiptV2::parse_ump_signals` and its private
 * `check_core_index`), newest polkadot-sdk generation (with `ApprovedPeer` signals).
 *
 * Order of checks (each a `CommittedCandidateReceiptError`, names exactly as in Rust):
 *  1. `commitments.ump_signals()` (`UmpSignalDecode`, `DuplicateUMPSignal`, `TooManyUMPSignals`),
 *     BEFORE looking at the descriptor version, so even a V1 descriptor reports decoding errors;
 *  2. V1 descriptor: any decoded signal → `UMPSignalWithV1Decriptor`, else ok with no signals
 *     (a lone separator is fine: it decodes to no signal);
 *  3. unknown version byte → `UnknownVersion(version)`;
 *  4. `(selector, offset)` = the `SelectCore` signal or `(None, DEFAULT_CLAIM_QUEUE_OFFSET)`;
 *     assigned = claim queue of the para at depth `offset`; missing or empty → `NoAssignment`;
 *  5. no selector: more than one assigned core → the descriptor's core must be one of them
 *     (`InvalidCoreIndex`), then ok WITHOUT further checks; exactly one → selector 0;
 *  6. core = assigned cores in ascending order, index `selector % len` (`InvalidSelectedCore` is
 *     unreachable, kept for the type); core ≠ descriptor core → `CoreIndexMismatch{descriptor,
 *     commitments}`.
 *
 * Ref: polkadot/primitives/src/v9/mod.rs (CandidateDescriptorV2::version/core_index,
 *      CommittedCandidateReceiptV2::parse_ump_signals, check_core_index, transpose_claim_queue).
 */
import { fromHex } from "../lib/hex.ts";
import type { Result } from "../lib/result.ts";
import { err, ok } from "../lib/result.ts";
import type { TransposedClaimQueue } from "./claim-queue.ts";
import {
  type CandidateDescriptor,
  type CoreIndex,
  type DescriptorVersion,
  descriptorVersion,
  type ParaId,
  type SessionIndex,
} from "./codecs.ts";
import {
  type CandidateUMPSignals,
  type ClaimQueueOffset,
  type CommittedCandidateReceiptError,
  type CoreSelector,
  DEFAULT_CLAIM_QUEUE_OFFSET,
  NO_UMP_SIGNALS,
  umpSignals,
  umpSignalsIsEmpty,
} from "./ump.ts";

/**
 * What core selection reads from a descriptor. `coreIndex` is the raw u16 field of the V2 layout
 * (for a V1 descriptor, bytes 1..3 of the collator id, little-endian; never used by the checks),
 * `internalVersion` the raw version byte (`InternalVersion`).
 */
export interface DescriptorCoreView {
  readonly paraId: ParaId;
  readonly version: DescriptorVersion;
  readonly internalVersion: number;
  readonly coreIndex: CoreIndex;
}

/** The view of a decoded descriptor (as `CandidateDescriptorV2` reads its own fields). */
export function descriptorCoreView(d: CandidateDescriptor): DescriptorCoreView {
  if (d.kind === "v2") {
    return {
      paraId: d.paraId,
      version: descriptorVersion(d),
      internalVersion: d.version,
      coreIndex: d.coreIndex,
    };
  }
  const collator = fromHex(d.collator);
  return {
    paraId: d.paraId,
    version: "v1",
    internalVersion: collator[0]!,
    coreIndex: collator[1]! | (collator[2]! << 8),
  };
}

/** `CandidateDescriptorV2::core_index()`: the core of a non-V1 descriptor, null for V1. */
export function descriptorCoreIndex(d: CandidateDescriptor): CoreIndex | null {
  return d.kind === "v2" ? d.coreIndex : null;
}

/** `CandidateDescriptorV2::session_index()`: the session of a non-V1 descriptor, null for V1. */
export function descriptorSessionIndex(d: CandidateDescriptor): SessionIndex | null {
  return d.kind === "v2" ? d.sessionIndex : null;
}

/** The para's cores at claim-queue depth `offset`, ascending (a Rust `BTreeSet`). */
export function assignedCores(
  claimQueue: TransposedClaimQueue,
  paraId: ParaId,
  offset: ClaimQueueOffset,
): CoreIndex[] {
  const cores = claimQueue.get(paraId)?.get(offset);
  return cores === undefined ? [] : [...cores].sort((a, b) => a - b);
}

/**
 * `check_core_index(cores_per_para, maybe_core_index_selector, cq_offset)` (private in Rust,
 * exported for tests and for callers that already hold the parsed signals).
 */
export function checkCoreIndex(
  descriptor: Pick<DescriptorCoreView, "paraId" | "coreIndex">,
  claimQueue: TransposedClaimQueue,
  coreSelector: CoreSelector | null,
  claimQueueOffset: ClaimQueueOffset,
): Result<undefined, CommittedCandidateReceiptError> {
  const assigned = assignedCores(claimQueue, descriptor.paraId, claimQueueOffset);
  if (assigned.length === 0) return err({ code: "NoAssignment" });
  const descriptorCore = descriptor.coreIndex;
  let selector: CoreSelector;
  if (coreSelector !== null) {
    selector = coreSelector;
  } else if (assigned.length > 1) {
    // More than one core and no selector: the most that can be checked is membership.
    return assigned.includes(descriptorCore) ? ok() : err({ code: "InvalidCoreIndex" });
  } else {
    selector = 0;
  }
  const core = assigned[selector % assigned.length];
  if (core === undefined) return err({ code: "InvalidSelectedCore" });
  if (core !== descriptorCore) {
    return err({ code: "CoreIndexMismatch", descriptor: descriptorCore, commitments: core });
  }
  return ok();
}

/**
 * `CommittedCandidateReceiptV2::parse_ump_signals(cores_per_para)` on a descriptor view and the
 * candidate's upward messages: the signals if the candidate's core commitment is consistent.
 */
export function parseUmpSignalsOf(
  descriptor: DescriptorCoreView,
  upwardMessages: readonly Uint8Array[],
  claimQueue: TransposedClaimQueue,
): Result<CandidateUMPSignals, CommittedCandidateReceiptError> {
  const signals = umpSignals({ upwardMessages });
  if (!signals.ok) return signals;
  switch (descriptor.version) {
    case "v1":
      return umpSignalsIsEmpty(signals.value)
        ? ok(NO_UMP_SIGNALS)
        : err({ code: "UMPSignalWithV1Decriptor" });
    case "unknown":
      return err({ code: "UnknownVersion", version: descriptor.internalVersion });
    case "v2":
      break;
  }
  const selectCore = signals.value.selectCore;
  const checked = checkCoreIndex(
    descriptor,
    claimQueue,
    selectCore?.coreSelector ?? null,
    selectCore?.claimQueueOffset ?? DEFAULT_CLAIM_QUEUE_OFFSET,
  );
  return checked.ok ? signals : checked;
}

/** `parse_ump_signals` on a committed candidate receipt. */
export function parseUmpSignals(
  receipt: {
    readonly descriptor: CandidateDescriptor;
    readonly commitments: { readonly upwardMessages: readonly Uint8Array[] };
  },
  claimQueue: TransposedClaimQueue,
): Result<CandidateUMPSignals, CommittedCandidateReceiptError> {
  return parseUmpSignalsOf(
    descriptorCoreView(receipt.descriptor),
    receipt.commitments.upwardMessages,
    claimQueue,
  );
}

/** The `SelectCore` signal of the commitments, if well-formed signals carry one. */
export function selectedCore(commitments: {
  readonly upwardMessages: readonly Uint8Array[];
}): { readonly coreSelector: CoreSelector; readonly claimQueueOffset: ClaimQueueOffset } | null {
  const signals = umpSignals(commitments);
  return signals.ok ? signals.value.selectCore : null;
}

/**
 * The core the commitments select among `assignedCores` (the para's cores at the selected claim
 * queue offset, any order): `sorted(assigned)[selector % len]`, or null without a well-formed
 * `SelectCore` signal or without assigned cores. This is the "committed core index" that
 * `paras_inherent::map_candidates_to_cores` prefers over an injected core index (Rust's
 * `CandidateCommitments::committed_core_index` of the first V2 generation; parapipe reads the
 * signal with the newest `ump_signals` rules).
 */
export function committedCoreIndex(
  commitments: { readonly upwardMessages: readonly Uint8Array[] },
  cores: readonly CoreIndex[],
): CoreIndex | null {
  if (cores.length === 0) return null;
  const selected = selectedCore(commitments);
  if (selected === null) return null;
  const sorted = [...cores].sort((a, b) => a - b);
  return sorted[selected.coreSelector % sorted.length] ?? null;
}

/**
 * The committed core of a candidate of `paraId` against a transposed claim queue: the assigned
 * cores at the `SelectCore` offset, indexed by the selector. Null without a signal or assignment.
 */
export function committedCoreIndexIn(
  commitments: { readonly upwardMessages: readonly Uint8Array[] },
  paraId: ParaId,
  claimQueue: TransposedClaimQueue,
): CoreIndex | null {
  const selected = selectedCore(commitments);
  if (selected === null) return null;
  return committedCoreIndex(
    commitments,
    assignedCores(claimQueue, paraId, selected.claimQueueOffset),
  );
}
