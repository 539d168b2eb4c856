/**
 * The relay runtime API as nodes and collators read it at a relay block: the data types of
 * polkadot-primitives (CoreState, BackingState, OccupiedCoreAssumption, ...) and the `RuntimeApi`
 * interface. The relay runtime (`src/relay/runtime-api.ts`) implements it over a block's
 * post-state; validators (`src/node`) and collators (`src/collator`) only consume it, so the
 * node never reaches into runtime storage.
 *
 * Invariant: a `RuntimeApi` value answers for ONE relay block (its post-state), like
 * `runtime_api().call(at = block_hash)`; it never changes.
 *
 * Ref: polkadot/primitives/src/v8/mod.rs (CoreState, OccupiedCore, ScheduledCore,
 *      OccupiedCoreAssumption, GroupRotationInfo, SessionInfo), v8/async_backing.rs
 *      (Constraints, BackingState, CandidatePendingAvailability), runtime_api.rs (the calls).
 */
import type { Hash, Hex } from "../lib/hex.ts";
import type { ClaimQueueSnapshot } from "./claim-queue.ts";
import type {
  BlockNumber,
  CandidateCommitments,
  CandidateDescriptor,
  CandidateHash,
  CandidateReceipt,
  CommittedCandidateReceipt,
  CoreIndex,
  GroupIndex,
  HeadData,
  ParaId,
  PersistedValidationData,
  SessionIndex,
  ValidatorIndex,
} from "./codecs.ts";
import type { GroupRotationInfo } from "./group-rotation.ts";

/** `CandidateEvent` (the `candidate_events` runtime API). */
export type CandidateEvent =
  | (CandidateEventFields & { readonly kind: "CandidateBacked"; readonly group: GroupIndex })
  | (CandidateEventFields & { readonly kind: "CandidateIncluded"; readonly group: GroupIndex })
  | (CandidateEventFields & { readonly kind: "CandidateTimedOut" });

interface CandidateEventFields {
  readonly candidateHash: CandidateHash;
  readonly receipt: CandidateReceipt;
  readonly headData: HeadData;
  readonly core: CoreIndex;
}

/** `OccupiedCoreAssumption`: how to treat a core occupied by a candidate pending availability. */
export type OccupiedCoreAssumption = "Included" | "TimedOut" | "Free";

/** `async_backing::InboundHrmpLimitations`. */
export interface InboundHrmpLimitations {
  /** The valid HRMP watermarks, ascending. */
  readonly validWatermarks: readonly BlockNumber[];
}

/** `async_backing::OutboundHrmpChannelLimitations`. */
export interface OutboundHrmpChannelLimitations {
  readonly bytesRemaining: number;
  readonly messagesRemaining: number;
}

/**
 * `async_backing::Constraints` (with `max_head_data_size`, as the vstaging `backing_constraints`
 * API returns it). Same fields as the inclusion emulator's `Constraints`, which the node builds
 * from it (`From<v2::Constraints>`).
 */
export interface BackingConstraints {
  readonly minRelayParentNumber: BlockNumber;
  readonly maxPovSize: number;
  readonly maxCodeSize: number;
  readonly maxHeadDataSize: number;
  readonly umpRemaining: number;
  readonly umpRemainingBytes: number;
  readonly maxUmpNumPerCandidate: number;
  readonly dmpRemainingMessages: readonly BlockNumber[];
  readonly hrmpInbound: InboundHrmpLimitations;
  readonly hrmpChannelsOut: ReadonlyMap<ParaId, OutboundHrmpChannelLimitations>;
  readonly maxHrmpNumPerCandidate: number;
  readonly requiredParent: HeadData;
  readonly validationCodeHash: Hash;
  readonly upgradeRestriction: "Present" | null;
  readonly futureValidationCode: readonly [BlockNumber, Hash] | null;
}

/** `async_backing::CandidatePendingAvailability`. */
export interface CandidatePendingAvailabilityInfo {
  readonly candidateHash: CandidateHash;
  readonly descriptor: CandidateDescriptor;
  readonly commitments: CandidateCommitments;
  readonly relayParentNumber: BlockNumber;
  readonly maxPovSize: number;
}

/** `async_backing::BackingState`: the para's constraints and its pending chain, in order. */
export interface BackingState {
  readonly constraints: BackingConstraints;
  readonly pendingAvailability: readonly CandidatePendingAvailabilityInfo[];
}

/** `OccupiedCore`. */
export interface OccupiedCore {
  readonly kind: "Occupied";
  readonly nextUpOnAvailable: ParaId | null;
  readonly occupiedSince: BlockNumber;
  readonly timeOutAt: BlockNumber;
  readonly nextUpOnTimeOut: ParaId | null;
  /** Availability votes so far, one bit per validator. */
  readonly availability: readonly boolean[];
  readonly groupResponsible: GroupIndex;
  readonly candidateHash: CandidateHash;
  readonly candidateDescriptor: CandidateDescriptor;
}

/** `CoreState`, one per availability core. */
export type CoreState =
  | OccupiedCore
  | { readonly kind: "Scheduled"; readonly paraId: ParaId }
  | { readonly kind: "Free" };

/** `AsyncBackingParams`. */
export interface AsyncBackingParams {
  readonly maxCandidateDepth: number;
  readonly allowedAncestryLen: number;
}

/** The node features the pipeline reads (bit indices of `FeatureIndex`). */
export interface NodeFeatures {
  readonly enableAssignmentsV2: boolean;
  readonly elasticScalingMvp: boolean;
  readonly availabilityChunkMapping: boolean;
  readonly candidateReceiptV2: boolean;
}

/** `ExecutorParams` timeouts that matter here (`PvfExecTimeout(kind, ms)`). */
export interface ExecutorTimeouts {
  readonly backingMs: number;
  readonly approvalMs: number;
}

/** A relay-chain block header as nodes see it (modelled: no digest beyond the BABE slot). */
export interface RelayHeader {
  readonly hash: Hash;
  readonly number: BlockNumber;
  readonly parentHash: Hash;
  readonly stateRoot: Hash;
  /** The BABE slot the block was authored in. */
  readonly slot: number;
}

/** The runtime API at one relay block (see the header for the invariant). */
export interface RuntimeApi {
  readonly header: RelayHeader;
  /** `session_index_for_child`. */
  sessionIndexForChild(): SessionIndex;
  /** `validators`: the session's validator public keys, by validator index. */
  validators(): readonly Hex[];
  /** `validator_groups`: the groups and the rotation info computed for `now + 1`. */
  validatorGroups(): {
    readonly groups: readonly (readonly ValidatorIndex[])[];
    readonly rotationInfo: GroupRotationInfo;
  };
  availabilityCores(): readonly CoreState[];
  /** `claim_queue`: per core, the paras of its first `lookahead` claims. */
  claimQueue(): ClaimQueueSnapshot;
  /** `para_backing_state` / `backing_constraints`; null if the para has no head or no code. */
  paraBackingState(paraId: ParaId): BackingState | null;
  persistedValidationData(
    paraId: ParaId,
    assumption: OccupiedCoreAssumption,
  ): PersistedValidationData | null;
  validationCodeHash(paraId: ParaId, assumption: OccupiedCoreAssumption): Hash | null;
  /** `validation_code_by_hash`: the code stored under `hash` (current and scheduled code). */
  validationCodeByHash(hash: Hash): Uint8Array | null;
  /**
   * The paras pallet's `UpgradeGoAheadSignal` of `paraId` in this block's state: what a
   * collator proves to its para with the relay state proof (`well_known_keys::
   * upgrade_go_ahead_signal`), modelled as a read.
   */
  upgradeGoAheadSignal(paraId: ParaId): "GoAhead" | "Abort" | null;
  candidatesPendingAvailability(paraId: ParaId): readonly CommittedCandidateReceipt[];
  asyncBackingParams(): AsyncBackingParams;
  minimumBackingVotes(): number;
  nodeFeatures(): NodeFeatures;
  /** `candidate_events`: the candidate events of THIS block, in deposit order. */
  candidateEvents(): readonly CandidateEvent[];
  /** `scheduling_lookahead`. */
  schedulingLookahead(): number;
  executorTimeouts(): ExecutorTimeouts;
  /**
   * What approval voting reads of `session_info` (the session's copy of the host configuration)
   * and `approval_voting_params`.
   */
  approvalParams(): ApprovalParams;
}

/** The approval parameters of `SessionInfo` and `ApprovalVotingParams`. */
export interface ApprovalParams {
  readonly nCores: number;
  readonly neededApprovals: number;
  readonly relayVrfModuloSamples: number;
  readonly nDelayTranches: number;
  readonly zerothDelayTrancheWidth: number;
  readonly noShowSlots: number;
  readonly maxApprovalCoalesceCount: number;
}
