/**
 * The inclusion emulator: the node's own statement of the runtime's acceptance rules, so that
 * prospective (not yet included) parachain blocks can be judged "would the relay chain accept this
 * later?". `Constraints` describe what a new para block may do at some relay parent;
 * `ConstraintModifications` are the effect of one or more candidates; a `Fragment` is a candidate
 * proven valid under its operating constraints.
 *
 * Invariants:
 * - Values are immutable: `applyModifications` and `stacked` return new objects, so constraints and
 *   cumulative modifications can be shared by many fragment chains without copying.
 * - The order of the checks (and so which error a candidate gets) is exactly polkadot-sdk's
 *   (SEMANTICS 1.1.3-1.1.5): validate_commitments (code hash, head size, relay parent age, upgrade
 *   restriction, code size, HRMP count), PVD equality, DMP advancement, UMP count per candidate,
 *   then check_modifications (watermark, HRMP channels bytes before messages, UMP messages, UMP
 *   bytes, DMP underflow, nonexistent upgrade).
 * - Outbound HRMP maps are checked in ascending para id order (Rust iterates a HashMap, whose order
 *   is unspecified; ascending is a deterministic choice among the orders Rust may take).
 * - This module never imports `relay/`: the runtime's checks are an independent statement of the
 *   same rules (STYLE.md).
 *
 * Ref: polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs
 */

import { type Hash, hexByteLength } from "../lib/hex.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type {
  BlockNumber,
  CandidateCommitments,
  CandidateHash,
  CommittedCandidateReceipt,
  HeadData,
  ParaId,
  PersistedValidationData,
} from "../primitives/codecs.ts";
import { hashHex } from "../primitives/hashing.ts";
import type {
  BackingConstraints,
  InboundHrmpLimitations,
  OutboundHrmpChannelLimitations,
} from "../primitives/runtime-api.ts";
import { skipUmpSignals } from "../primitives/ump.ts";

// ------------------------------------------------------------------------------------------------
// Constraints

/** `UpgradeRestriction`: the only variant is `Present`. */
export type UpgradeRestriction = "Present";

/**
 * The constraints a new para block must satisfy at some relay parent (SEMANTICS 1.1.1). The node's
 * `Constraints` is built `From` the runtime API's (`async_backing::Constraints`) field for field,
 * so it is the same type here; `InboundHrmpLimitations` and `OutboundHrmpChannelLimitations` too.
 */
export type Constraints = BackingConstraints;
export type { InboundHrmpLimitations, OutboundHrmpChannelLimitations };

/** `ModificationError`: why modifications cannot apply to constraints. */
export type ModificationError =
  | { readonly code: "DisallowedHrmpWatermark"; readonly watermark: BlockNumber }
  | { readonly code: "NoSuchHrmpChannel"; readonly paraId: ParaId }
  | {
      readonly code: "HrmpMessagesOverflow";
      readonly paraId: ParaId;
      readonly messagesRemaining: number;
      readonly messagesSubmitted: number;
    }
  | {
      readonly code: "HrmpBytesOverflow";
      readonly paraId: ParaId;
      readonly bytesRemaining: number;
      readonly bytesSubmitted: number;
    }
  | {
      readonly code: "UmpMessagesOverflow";
      readonly messagesRemaining: number;
      readonly messagesSubmitted: number;
    }
  | {
      readonly code: "UmpBytesOverflow";
      readonly bytesRemaining: number;
      readonly bytesSubmitted: number;
    }
  | {
      readonly code: "DmpMessagesUnderflow";
      readonly messagesRemaining: number;
      readonly messagesProcessed: number;
    }
  | { readonly code: "AppliedNonexistentCodeUpgrade" };

// ------------------------------------------------------------------------------------------------
// Constraint modifications

/** `HrmpWatermarkUpdate`: `Head` sits at the candidate's relay parent (always legal); `Trunk` is
 * behind it and legal only on a block where messages were queued. */
export type HrmpWatermarkUpdate =
  | { readonly kind: "Head"; readonly watermark: BlockNumber }
  | { readonly kind: "Trunk"; readonly watermark: BlockNumber };

/** An update to one outbound HRMP channel. */
export interface OutboundHrmpChannelModification {
  readonly bytesSubmitted: number;
  readonly messagesSubmitted: number;
}

/** The effect of one or more candidates on the constraints (SEMANTICS 1.1.1). */
export interface ConstraintModifications {
  readonly requiredParent: HeadData | null;
  readonly hrmpWatermark: HrmpWatermarkUpdate | null;
  readonly outboundHrmp: ReadonlyMap<ParaId, OutboundHrmpChannelModification>;
  /** UMP messages sent, UMP signals and the separator excluded. */
  readonly umpMessagesSent: number;
  /** UMP bytes sent, UMP signals and the separator excluded. */
  readonly umpBytesSent: number;
  readonly dmpMessagesProcessed: number;
  readonly codeUpgradeApplied: boolean;
}

const EMPTY_OUTBOUND: ReadonlyMap<ParaId, OutboundHrmpChannelModification> = new Map();

export const ConstraintModifications = {
  /** `ConstraintModifications::identity()`: applies to any constraints and changes nothing. */
  identity(): ConstraintModifications {
    return {
      requiredParent: null,
      hrmpWatermark: null,
      outboundHrmp: EMPTY_OUTBOUND,
      umpMessagesSent: 0,
      umpBytesSent: 0,
      dmpMessagesProcessed: 0,
      codeUpgradeApplied: false,
    };
  },

  /**
   * `self.stack(other)` as a new value: `other` on top of `base`. Not commutative and no sanity
   * checks (garbage in, garbage out), exactly like Rust's `stack`.
   */
  stacked(base: ConstraintModifications, other: ConstraintModifications): ConstraintModifications {
    let outboundHrmp = base.outboundHrmp;
    if (other.outboundHrmp.size > 0) {
      const merged = new Map(base.outboundHrmp);
      for (const [id, mods] of other.outboundHrmp) {
        const record = merged.get(id);
        merged.set(
          id,
          record === undefined
            ? { bytesSubmitted: mods.bytesSubmitted, messagesSubmitted: mods.messagesSubmitted }
            : {
                bytesSubmitted: record.bytesSubmitted + mods.bytesSubmitted,
                messagesSubmitted: record.messagesSubmitted + mods.messagesSubmitted,
              },
        );
      }
      outboundHrmp = merged;
    }
    return {
      requiredParent: other.requiredParent ?? base.requiredParent,
      hrmpWatermark: other.hrmpWatermark ?? base.hrmpWatermark,
      outboundHrmp,
      umpMessagesSent: base.umpMessagesSent + other.umpMessagesSent,
      umpBytesSent: base.umpBytesSent + other.umpBytesSent,
      dmpMessagesProcessed: base.dmpMessagesProcessed + other.dmpMessagesProcessed,
      codeUpgradeApplied: base.codeUpgradeApplied || other.codeUpgradeApplied,
    };
  },

  /** The identity stacked with each of `mods` in turn. */
  stackAll(mods: Iterable<ConstraintModifications>): ConstraintModifications {
    let acc = ConstraintModifications.identity();
    for (const m of mods) acc = ConstraintModifications.stacked(acc, m);
    return acc;
  },
};

/** Entries of a para-keyed map in ascending para id order (deterministic iteration). */
function byParaId<V>(map: ReadonlyMap<ParaId, V>): Iterable<[ParaId, V]> {
  if (map.size <= 1) return map;
  return [...map].sort((a, b) => a[0] - b[0]);
}

/** Lower-bound binary search, like Rust's `binary_search` (`found` = exact hit). */
function binarySearch(sorted: readonly number[], value: number): { found: boolean; pos: number } {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return { found: lo < sorted.length && sorted[lo] === value, pos: lo };
}

/** The UMP and DMP checks of `check_modifications` and `apply_modifications`, in their order. */
function checkUmpAndDmp(
  constraints: Constraints,
  mods: ConstraintModifications,
): ModificationError | null {
  if (constraints.umpRemaining < mods.umpMessagesSent) {
    return {
      code: "UmpMessagesOverflow",
      messagesRemaining: constraints.umpRemaining,
      messagesSubmitted: mods.umpMessagesSent,
    };
  }
  if (constraints.umpRemainingBytes < mods.umpBytesSent) {
    return {
      code: "UmpBytesOverflow",
      bytesRemaining: constraints.umpRemainingBytes,
      bytesSubmitted: mods.umpBytesSent,
    };
  }
  if (constraints.dmpRemainingMessages.length < mods.dmpMessagesProcessed) {
    return {
      code: "DmpMessagesUnderflow",
      messagesRemaining: constraints.dmpRemainingMessages.length,
      messagesProcessed: mods.dmpMessagesProcessed,
    };
  }
  return null;
}

/** The outbound HRMP check shared by check and apply: bytes before messages, per channel. */
function checkOutboundChannel(
  id: ParaId,
  outbound: OutboundHrmpChannelLimitations | undefined,
  mods: OutboundHrmpChannelModification,
): ModificationError | null {
  if (outbound === undefined) return { code: "NoSuchHrmpChannel", paraId: id };
  if (outbound.bytesRemaining < mods.bytesSubmitted) {
    return {
      code: "HrmpBytesOverflow",
      paraId: id,
      bytesRemaining: outbound.bytesRemaining,
      bytesSubmitted: mods.bytesSubmitted,
    };
  }
  if (outbound.messagesRemaining < mods.messagesSubmitted) {
    return {
      code: "HrmpMessagesOverflow",
      paraId: id,
      messagesRemaining: outbound.messagesRemaining,
      messagesSubmitted: mods.messagesSubmitted,
    };
  }
  return null;
}

export const Constraints = {
  /** `Constraints::check_modifications`: would `mods` apply? (SEMANTICS 1.1.3; order matters.) */
  checkModifications(
    constraints: Constraints,
    mods: ConstraintModifications,
  ): Result<undefined, ModificationError> {
    const wm = mods.hrmpWatermark;
    // Head updates are always valid.
    if (wm !== null && wm.kind === "Trunk") {
      if (!constraints.hrmpInbound.validWatermarks.includes(wm.watermark)) {
        return err({ code: "DisallowedHrmpWatermark", watermark: wm.watermark });
      }
    }
    for (const [id, m] of byParaId(mods.outboundHrmp)) {
      const e = checkOutboundChannel(id, constraints.hrmpChannelsOut.get(id), m);
      if (e !== null) return err(e);
    }
    const messaging = checkUmpAndDmp(constraints, mods);
    if (messaging !== null) return err(messaging);
    if (constraints.futureValidationCode === null && mods.codeUpgradeApplied) {
      return err({ code: "AppliedNonexistentCodeUpgrade" });
    }
    return ok();
  },

  /**
   * `Constraints::apply_modifications`: the constraints after `mods` (SEMANTICS 1.1.4). The
   * minimum relay-parent number, the sizes and the upgrade restriction are not modified.
   */
  applyModifications(
    constraints: Constraints,
    mods: ConstraintModifications,
  ): Result<Constraints, ModificationError> {
    let validWatermarks = constraints.hrmpInbound.validWatermarks;
    const wm = mods.hrmpWatermark;
    if (wm !== null) {
      const { found, pos } = binarySearch(validWatermarks, wm.watermark);
      // An exact hit is fine for both kinds; a miss is fine only for Head.
      if (!found && wm.kind === "Trunk") {
        return err({ code: "DisallowedHrmpWatermark", watermark: wm.watermark });
      }
      if (pos > 0) validWatermarks = validWatermarks.slice(pos);
    }

    let hrmpChannelsOut = constraints.hrmpChannelsOut;
    if (mods.outboundHrmp.size > 0) {
      const channels = new Map(constraints.hrmpChannelsOut);
      for (const [id, m] of byParaId(mods.outboundHrmp)) {
        const outbound = channels.get(id);
        const e = checkOutboundChannel(id, outbound, m);
        if (e !== null) return err(e);
        channels.set(id, {
          bytesRemaining: outbound!.bytesRemaining - m.bytesSubmitted,
          messagesRemaining: outbound!.messagesRemaining - m.messagesSubmitted,
        });
      }
      hrmpChannelsOut = channels;
    }

    const messaging = checkUmpAndDmp(constraints, mods);
    if (messaging !== null) return err(messaging);
    const dmpRemainingMessages =
      mods.dmpMessagesProcessed === 0
        ? constraints.dmpRemainingMessages
        : constraints.dmpRemainingMessages.slice(mods.dmpMessagesProcessed);

    let validationCodeHash = constraints.validationCodeHash;
    let futureValidationCode = constraints.futureValidationCode;
    if (mods.codeUpgradeApplied) {
      if (futureValidationCode === null) return err({ code: "AppliedNonexistentCodeUpgrade" });
      validationCodeHash = futureValidationCode[1];
      futureValidationCode = null;
    }

    return ok({
      ...constraints,
      requiredParent: mods.requiredParent ?? constraints.requiredParent,
      hrmpInbound:
        validWatermarks === constraints.hrmpInbound.validWatermarks
          ? constraints.hrmpInbound
          : { validWatermarks },
      hrmpChannelsOut,
      umpRemaining: constraints.umpRemaining - mods.umpMessagesSent,
      umpRemainingBytes: constraints.umpRemainingBytes - mods.umpBytesSent,
      dmpRemainingMessages,
      validationCodeHash,
      futureValidationCode,
    });
  },
};

// ------------------------------------------------------------------------------------------------
// Relay-chain blocks, prospective candidates, fragments

/** Information about a relay-chain block. */
export interface RelayChainBlockInfo {
  readonly hash: Hash;
  readonly number: BlockNumber;
  readonly storageRoot: Hash;
}

/**
 * A candidate without the session-specific parts (no erasure root): commitments, the PVD it was
 * built with, its PoV hash and the validation code hash it claims.
 */
export interface ProspectiveCandidate {
  readonly commitments: CandidateCommitments;
  readonly persistedValidationData: PersistedValidationData;
  readonly povHash: Hash;
  readonly validationCodeHash: Hash;
}

/** `FragmentValidityError`: why a candidate is invalid under some operating constraints. */
export type FragmentValidityError =
  | { readonly code: "ValidationCodeMismatch"; readonly expected: Hash; readonly got: Hash }
  | {
      readonly code: "PersistedValidationDataMismatch";
      readonly expected: PersistedValidationData;
      readonly got: PersistedValidationData;
    }
  | { readonly code: "OutputsInvalid"; readonly inner: ModificationError }
  | { readonly code: "CodeSizeTooLarge"; readonly max: number; readonly size: number }
  | { readonly code: "HeadDataTooLarge"; readonly max: number; readonly size: number }
  | {
      readonly code: "RelayParentTooOld";
      readonly minRelayParentNumber: BlockNumber;
      readonly relayParentNumber: BlockNumber;
    }
  | { readonly code: "DmpAdvancementRule" }
  | {
      readonly code: "UmpMessagesPerCandidateOverflow";
      readonly messagesAllowed: number;
      readonly messagesSubmitted: number;
    }
  | {
      readonly code: "HrmpMessagesPerCandidateOverflow";
      readonly messagesAllowed: number;
      readonly messagesSubmitted: number;
    }
  | { readonly code: "CodeUpgradeRestricted" }
  | { readonly code: "HrmpMessagesDescendingOrDuplicate"; readonly index: number };

function pvdEqual(a: PersistedValidationData, b: PersistedValidationData): boolean {
  return (
    a.parentHead === b.parentHead &&
    a.relayParentNumber === b.relayParentNumber &&
    a.relayParentStorageRoot === b.relayParentStorageRoot &&
    a.maxPovSize === b.maxPovSize
  );
}

/**
 * `validate_commitments`: the checks of the commitments alone against the constraints, in Rust's
 * order: code hash, head-data size, relay-parent age, upgrade restriction, code size, HRMP count.
 */
export function validateCommitments(
  constraints: Constraints,
  relayParent: RelayChainBlockInfo,
  commitments: CandidateCommitments,
  validationCodeHash: Hash,
): Result<undefined, FragmentValidityError> {
  if (constraints.validationCodeHash !== validationCodeHash) {
    return err({
      code: "ValidationCodeMismatch",
      expected: constraints.validationCodeHash,
      got: validationCodeHash,
    });
  }
  const headSize = hexByteLength(commitments.headData);
  if (headSize > constraints.maxHeadDataSize) {
    return err({ code: "HeadDataTooLarge", max: constraints.maxHeadDataSize, size: headSize });
  }
  if (relayParent.number < constraints.minRelayParentNumber) {
    return err({
      code: "RelayParentTooOld",
      minRelayParentNumber: constraints.minRelayParentNumber,
      relayParentNumber: relayParent.number,
    });
  }
  if (commitments.newValidationCode !== null && constraints.upgradeRestriction === "Present") {
    return err({ code: "CodeUpgradeRestricted" });
  }
  const announcedCodeSize = commitments.newValidationCode?.length ?? 0;
  if (announcedCodeSize > constraints.maxCodeSize) {
    return err({ code: "CodeSizeTooLarge", max: constraints.maxCodeSize, size: announcedCodeSize });
  }
  if (commitments.horizontalMessages.length > constraints.maxHrmpNumPerCandidate) {
    return err({
      code: "HrmpMessagesPerCandidateOverflow",
      messagesAllowed: constraints.maxHrmpNumPerCandidate,
      messagesSubmitted: commitments.horizontalMessages.length,
    });
  }
  return ok();
}

function validateAgainstConstraints(
  constraints: Constraints,
  relayParent: RelayChainBlockInfo,
  commitments: CandidateCommitments,
  persistedValidationData: PersistedValidationData,
  validationCodeHash: Hash,
  modifications: ConstraintModifications,
): Result<undefined, FragmentValidityError> {
  const v = validateCommitments(constraints, relayParent, commitments, validationCodeHash);
  if (!v.ok) return v;

  const expectedPvd: PersistedValidationData = {
    parentHead: constraints.requiredParent,
    relayParentNumber: relayParent.number,
    relayParentStorageRoot: relayParent.storageRoot,
    maxPovSize: constraints.maxPovSize,
  };
  if (!pvdEqual(expectedPvd, persistedValidationData)) {
    return err({
      code: "PersistedValidationDataMismatch",
      expected: expectedPvd,
      got: persistedValidationData,
    });
  }
  if (modifications.dmpMessagesProcessed === 0) {
    const firstSentAt = constraints.dmpRemainingMessages[0];
    if (firstSentAt !== undefined && firstSentAt <= relayParent.number) {
      return err({ code: "DmpAdvancementRule" });
    }
  }
  if (modifications.umpMessagesSent > constraints.maxUmpNumPerCandidate) {
    // Quirk kept from Rust: the payload reports the raw length, UMP signals included.
    return err({
      code: "UmpMessagesPerCandidateOverflow",
      messagesAllowed: constraints.maxUmpNumPerCandidate,
      messagesSubmitted: commitments.upwardMessages.length,
    });
  }
  const m = Constraints.checkModifications(constraints, modifications);
  return m.ok ? m : err({ code: "OutputsInvalid", inner: m.error });
}

/**
 * A parachain block anchored to a relay parent, guaranteed valid under its operating constraints
 * (the base constraints of the relay parent modified by all fragments before it).
 */
export class Fragment {
  private constructor(
    readonly relayParent: RelayChainBlockInfo,
    readonly operatingConstraints: Constraints,
    readonly candidate: ProspectiveCandidate,
    /** The modifications this candidate makes to the constraints. */
    readonly modifications: ConstraintModifications,
  ) {}

  /** `Fragment::new`: fails unless the candidate is valid under the operating constraints. The
   * collator signature and the PoV size are not checked. */
  static new(
    relayParent: RelayChainBlockInfo,
    operatingConstraints: Constraints,
    candidate: ProspectiveCandidate,
  ): Result<Fragment, FragmentValidityError> {
    const mods = Fragment.checkAgainstConstraints(
      relayParent,
      operatingConstraints,
      candidate.commitments,
      candidate.validationCodeHash,
      candidate.persistedValidationData,
    );
    if (!mods.ok) return mods;
    return ok(new Fragment(relayParent, operatingConstraints, candidate, mods.value));
  }

  /**
   * `Fragment::check_against_constraints`: the candidate's modifications, if it is valid under
   * `operatingConstraints` (SEMANTICS 1.1.5).
   */
  static checkAgainstConstraints(
    relayParent: RelayChainBlockInfo,
    operatingConstraints: Constraints,
    commitments: CandidateCommitments,
    validationCodeHash: Hash,
    persistedValidationData: PersistedValidationData,
  ): Result<ConstraintModifications, FragmentValidityError> {
    // UMP signals and the separator are invisible to the limits.
    const upward = skipUmpSignals(commitments.upwardMessages);
    let umpBytesSent = 0;
    for (const msg of upward) umpBytesSent += msg.length;

    // Recipients must be strictly ascending: at most one message per recipient.
    const outboundHrmp = new Map<ParaId, OutboundHrmpChannelModification>();
    let lastRecipient: ParaId | null = null;
    for (const [i, message] of commitments.horizontalMessages.entries()) {
      if (lastRecipient !== null && lastRecipient >= message.recipient) {
        return err({ code: "HrmpMessagesDescendingOrDuplicate", index: i });
      }
      lastRecipient = message.recipient;
      const record = outboundHrmp.get(message.recipient);
      outboundHrmp.set(message.recipient, {
        bytesSubmitted: (record?.bytesSubmitted ?? 0) + message.data.length,
        messagesSubmitted: (record?.messagesSubmitted ?? 0) + 1,
      });
    }

    const future = operatingConstraints.futureValidationCode;
    const modifications: ConstraintModifications = {
      requiredParent: commitments.headData,
      hrmpWatermark:
        commitments.hrmpWatermark === relayParent.number
          ? { kind: "Head", watermark: commitments.hrmpWatermark }
          : { kind: "Trunk", watermark: commitments.hrmpWatermark },
      outboundHrmp,
      umpMessagesSent: upward.length,
      umpBytesSent,
      dmpMessagesProcessed: commitments.processedDownwardMessages,
      codeUpgradeApplied: future !== null && relayParent.number >= future[0],
    };

    const v = validateAgainstConstraints(
      operatingConstraints,
      relayParent,
      commitments,
      persistedValidationData,
      validationCodeHash,
      modifications,
    );
    return v.ok ? ok(modifications) : v;
  }
}

// ------------------------------------------------------------------------------------------------
// Hypothetical or concrete candidates

/**
 * `HypotheticalOrConcreteCandidate`: what the fragment chain needs to judge a candidate's
 * potential. Commitments, PVD, code hash and output head are null for an incomplete hypothetical
 * candidate (known only from an advertisement).
 */
export interface HypotheticalOrConcreteCandidate {
  readonly candidateHash: CandidateHash;
  readonly parentHeadDataHash: Hash;
  readonly outputHeadDataHash: Hash | null;
  readonly relayParent: Hash;
  readonly commitments: CandidateCommitments | null;
  readonly persistedValidationData: PersistedValidationData | null;
  readonly validationCodeHash: Hash | null;
}

/**
 * `HypotheticalCandidate` (polkadot node subsystem messages): a candidate whose membership in
 * fragment chains is asked about. `Complete` has the receipt and PVD; `Incomplete` only what a
 * collator advertisement tells.
 */
export type HypotheticalCandidate =
  | {
      readonly kind: "Complete";
      readonly candidateHash: CandidateHash;
      readonly receipt: CommittedCandidateReceipt;
      readonly persistedValidationData: PersistedValidationData;
    }
  | {
      readonly kind: "Incomplete";
      readonly candidateHash: CandidateHash;
      readonly candidatePara: ParaId;
      readonly parentHeadDataHash: Hash;
      readonly candidateRelayParent: Hash;
    };

/**
 * The `HypotheticalOrConcreteCandidate` view of a hypothetical candidate. As in Rust, a complete
 * candidate's output head hash is the descriptor's `para_head` (not recomputed from commitments).
 */
export function hypotheticalAsPotential(c: HypotheticalCandidate): HypotheticalOrConcreteCandidate {
  if (c.kind === "Complete") {
    return {
      candidateHash: c.candidateHash,
      parentHeadDataHash: hashHex(c.persistedValidationData.parentHead),
      outputHeadDataHash: c.receipt.descriptor.paraHead,
      relayParent: c.receipt.descriptor.relayParent,
      commitments: c.receipt.commitments,
      persistedValidationData: c.persistedValidationData,
      validationCodeHash: c.receipt.descriptor.validationCodeHash,
    };
  }
  return {
    candidateHash: c.candidateHash,
    parentHeadDataHash: c.parentHeadDataHash,
    outputHeadDataHash: null,
    relayParent: c.candidateRelayParent,
    commitments: null,
    persistedValidationData: null,
    validationCodeHash: null,
  };
}

/** Deep equality of two modifications (for tests and checkers; `Map`s compared by content). */
export function modificationsEqual(
  a: ConstraintModifications,
  b: ConstraintModifications,
): boolean {
  if (a.requiredParent !== b.requiredParent) return false;
  const wa = a.hrmpWatermark;
  const wb = b.hrmpWatermark;
  if ((wa === null) !== (wb === null)) return false;
  if (wa !== null && wb !== null && (wa.kind !== wb.kind || wa.watermark !== wb.watermark)) {
    return false;
  }
  if (a.outboundHrmp.size !== b.outboundHrmp.size) return false;
  for (const [id, ma] of a.outboundHrmp) {
    const mb = b.outboundHrmp.get(id);
    if (
      mb === undefined ||
      mb.bytesSubmitted !== ma.bytesSubmitted ||
      mb.messagesSubmitted !== ma.messagesSubmitted
    ) {
      return false;
    }
  }
  return (
    a.umpMessagesSent === b.umpMessagesSent &&
    a.umpBytesSent === b.umpBytesSent &&
    a.dmpMessagesProcessed === b.dmpMessagesProcessed &&
    a.codeUpgradeApplied === b.codeUpgradeApplied
  );
}
