/**
 * The relay runtime API over one block's post-state: `runtimeApi(state, header)` implements
 * `src/primitives/runtime-api.ts`'s `RuntimeApi` as polkadot-sdk's `runtime_api_impl` (v11 and
 * vstaging's `backing_constraints`) does, so validators and collators read the relay chain only
 * through it.
 *
 * Runtime APIs run "for the child" on block R's post-state: `now` is R's number (the relay parent a
 * node builds on), the PVD's relay-parent storage root is R's state root (`header.stateRoot`).
 * - `paraBackingState`: `min_relay_parent_number = hypothetical_earliest_block_number(now,
 *   allowed_ancestry_len)`, UMP/DMP/HRMP limits, `required_parent` = the INCLUDED head, pending
 *   availability in chain order; with vstaging's `max_head_data_size`; null without head or code.
 * - `availabilityCores`: one entry per validator group; Occupied cores carry `time_out_at` from the
 *   timeout predicate, `group_responsible` = the group at `relay_parent_number + 1` (0 if none),
 *   `next_up_on_available` = `next_up_on_time_out` = the front of the claim queue.
 * - `validatorGroups`: rotation info computed at `now + 1`.
 * - `persistedValidationData` / `validationCodeHash` with `OccupiedCoreAssumption`: `Included`
 *   force-enacts every pending candidate of the para first (on a copy of the state), `TimedOut`
 *   reads the state as it is, `Free` answers only if nothing is pending.
 * - `claimQueue`: per core the first `lookahead` claims; `schedulingLookahead` = the scheduler's
 *   `lookahead`; `executorTimeouts` from the executor params (defaults when unset).
 *
 * Invariants: the state is a post-state that is never mutated again (answers are memoised per
 * state object, and per para / assumption inside); returned values are shared between callers
 * and must be treated as read-only. `runtimeApi` on the same state object returns the same API.
 *
 * Ref: polkadot/runtime/parachains/src/runtime_api_impl/v11.rs (availability_cores,
 *      persisted_validation_data, with_assumption, validation_code_hash, backing_state,
 *      claim_queue, validator_groups), runtime_api_impl/vstaging.rs (backing_constraints),
 *      util.rs (make_persisted_validation_data), inclusion/mod.rs (force_enact).
 */
import {
  FeatureIndex,
  isNodeFeatureEnabled,
  pvfExecTimeoutMs,
} from "../config/host-configuration.ts";
import { assertNever } from "../lib/assert.ts";
import type { Hash, Hex } from "../lib/hex.ts";
import { getOrInsertComputed as memo } from "../lib/memo.ts";
import type { ClaimQueueSnapshot } from "../primitives/claim-queue.ts";
import type {
  CommittedCandidateReceipt,
  HeadData,
  ParaId,
  PersistedValidationData,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import type { GroupRotationInfo } from "../primitives/group-rotation.ts";
import type {
  ApprovalParams,
  AsyncBackingParams,
  BackingState,
  CandidateEvent,
  CoreState,
  ExecutorTimeouts,
  NodeFeatures,
  OccupiedCoreAssumption,
  OutboundHrmpChannelLimitations,
  RelayHeader,
  RuntimeApi,
} from "../primitives/runtime-api.ts";
import { dmqContents } from "./dmp.ts";
import { outboundRemainingCapacity, validWatermarks } from "./hrmp.ts";
import { candidatesPendingAvailability, forceEnact, getOccupiedCores } from "./inclusion.ts";
import {
  availabilityTimeoutPredicate,
  claimQueue,
  groupAssignedToCore,
  groupRotationInfo,
  nextUpOnAvailable,
  numAvailabilityCores,
} from "./scheduler.ts";
import { hypotheticalEarliestBlockNumber } from "./shared.ts";
import type { RelayState } from "./state.ts";
import { relayDispatchQueueSize } from "./ump.ts";

const apis = new WeakMap<RelayState, RuntimeApi>();

/** The runtime API at the block whose post-state is `state` and header is `header`. */
export function runtimeApi(state: RelayState, header: RelayHeader): RuntimeApi {
  const known = apis.get(state);
  if (known !== undefined && known.header.hash === header.hash) return known;
  const api = new RelayRuntimeApi(state, header);
  apis.set(state, api);
  return api;
}

/**
 * A copy of `state` that `forceEnact(copy, para)` may mutate without touching `state`: what
 * `enactCandidate` writes (the paras pallet's maps, DMP, UMP, HRMP, the para's pending chain, the
 * events) is copied; the rest (configuration, shared state with the validator keys, scheduler,
 * coretime) is shared and only read. The paras maps are copied one level deep: their values
 * (head data, hashes, numbers, code bytes, signals) are replaced, never mutated in place. Same
 * answers as a `structuredClone` of the whole state, which at 600 validators and 100 paras cost
 * one deep copy of the whole relay state per para per block.
 */
function copyForEnact(state: RelayState, para: ParaId): RelayState {
  const p = state.paras;
  const pendingAvailability = new Map(state.inclusion.pendingAvailability);
  const pending = pendingAvailability.get(para);
  if (pending !== undefined) pendingAvailability.set(para, [...pending]);
  return {
    ...state,
    paras: {
      paraLifecycles: new Map(p.paraLifecycles),
      heads: new Map(p.heads),
      mostRecentContext: new Map(p.mostRecentContext),
      currentCodeHash: new Map(p.currentCodeHash),
      futureCodeHash: new Map(p.futureCodeHash),
      futureCodeUpgrades: new Map(p.futureCodeUpgrades),
      upgradeGoAheadSignal: new Map(p.upgradeGoAheadSignal),
      upgradeRestrictionSignal: new Map(p.upgradeRestrictionSignal),
      upgradeCooldowns: [...p.upgradeCooldowns],
      upcomingUpgrades: [...p.upcomingUpgrades],
      codeByHash: new Map(p.codeByHash),
    },
    dmp: structuredClone(state.dmp),
    ump: structuredClone(state.ump),
    hrmp: structuredClone(state.hrmp),
    inclusion: { ...state.inclusion, pendingAvailability },
    events: [...state.events],
  };
}

/** What the runtime API's queries read of one para's state. */
interface ParaView {
  readonly head: HeadData | undefined;
  readonly codeHash: Hash | undefined;
  readonly maxPovSize: number;
}

function paraView(s: RelayState, para: ParaId): ParaView {
  return {
    head: s.paras.heads.get(para),
    codeHash: s.paras.currentCodeHash.get(para),
    maxPovSize: s.config.maxPovSize,
  };
}

class RelayRuntimeApi implements RuntimeApi {
  private readonly backingStates = new Map<ParaId, BackingState | null>();
  private readonly pvds = new Map<string, PersistedValidationData | null>();
  private readonly codeHashes = new Map<string, Hash | null>();
  /** What the queries read of a para's state under `Included` (one forced enactment per para). */
  private readonly included = new Map<ParaId, ParaView>();
  private readonly pendingReceipts = new Map<ParaId, readonly CommittedCandidateReceipt[]>();
  private cores: readonly CoreState[] | null = null;
  private claims: ClaimQueueSnapshot | null = null;
  private groups: {
    readonly groups: readonly (readonly ValidatorIndex[])[];
    readonly rotationInfo: GroupRotationInfo;
  } | null = null;

  constructor(
    private readonly state: RelayState,
    readonly header: RelayHeader,
  ) {}

  sessionIndexForChild(): number {
    return this.state.shared.currentSessionIndex;
  }

  validators(): readonly Hex[] {
    return this.state.shared.activeValidatorKeys;
  }

  validatorGroups() {
    // Same block number as `group_responsible` in `availability_cores`: the child's.
    this.groups ??= {
      groups: this.state.scheduler.validatorGroups,
      rotationInfo: groupRotationInfo(this.state.scheduler, this.state.config, this.state.now + 1),
    };
    return this.groups;
  }

  availabilityCores(): readonly CoreState[] {
    this.cores ??= this.computeAvailabilityCores();
    return this.cores;
  }

  private computeAvailabilityCores(): CoreState[] {
    const { scheduler, config, now } = this.state;
    const timeOutFor = availabilityTimeoutPredicate(scheduler, config, now);
    const occupied = new Map(getOccupiedCores(this.state));
    const out: CoreState[] = [];
    for (let core = 0; core < numAvailabilityCores(scheduler); core++) {
      const pending = occupied.get(core);
      const front = nextUpOnAvailable(scheduler, core);
      if (pending !== undefined) {
        out.push({
          kind: "Occupied",
          nextUpOnAvailable: front,
          occupiedSince: pending.backedInNumber,
          timeOutAt: timeOutFor(pending.backedInNumber).liveUntil,
          nextUpOnTimeOut: front,
          availability: pending.availabilityVotes,
          // The group the backing subsystem used: the one at `relay_parent_number + 1`.
          groupResponsible:
            groupAssignedToCore(scheduler, config, core, pending.relayParentNumber + 1) ?? 0,
          candidateHash: pending.hash,
          candidateDescriptor: pending.descriptor,
        });
      } else if (front !== null) {
        out.push({ kind: "Scheduled", paraId: front });
      } else {
        out.push({ kind: "Free" });
      }
    }
    return out;
  }

  claimQueue(): ClaimQueueSnapshot {
    this.claims ??= claimQueue(this.state.scheduler, this.state.config);
    return this.claims;
  }

  paraBackingState(paraId: ParaId): BackingState | null {
    return memo(this.backingStates, paraId, () => this.computeBackingState(paraId));
  }

  private computeBackingState(paraId: ParaId): BackingState | null {
    const { config, paras, now } = this.state;
    const requiredParent = paras.heads.get(paraId);
    const validationCodeHash = paras.currentCodeHash.get(paraId);
    if (requiredParent === undefined || validationCodeHash === undefined) return null;
    const [umpCount, umpBytes] = relayDispatchQueueSize(this.state.ump, paraId);
    const hrmpChannelsOut = new Map<ParaId, OutboundHrmpChannelLimitations>();
    for (const [recipient, [messagesRemaining, bytesRemaining]] of outboundRemainingCapacity(
      this.state.hrmp,
      paraId,
    )) {
      hrmpChannelsOut.set(recipient, { messagesRemaining, bytesRemaining });
    }
    const futureAt = paras.futureCodeUpgrades.get(paraId);
    const futureHash = paras.futureCodeHash.get(paraId);
    return {
      constraints: {
        minRelayParentNumber: hypotheticalEarliestBlockNumber(
          this.state.shared.allowedRelayParents,
          now,
          config.asyncBackingParams.allowedAncestryLen,
        ),
        maxPovSize: config.maxPovSize,
        maxCodeSize: config.maxCodeSize,
        maxHeadDataSize: config.maxHeadDataSize,
        umpRemaining: config.maxUpwardQueueCount - umpCount,
        umpRemainingBytes: config.maxUpwardQueueSize - umpBytes,
        maxUmpNumPerCandidate: config.maxUpwardMessageNumPerCandidate,
        dmpRemainingMessages: dmqContents(this.state.dmp, paraId).map((m) => m.sentAt),
        hrmpInbound: { validWatermarks: validWatermarks(this.state.hrmp, paraId) },
        hrmpChannelsOut,
        maxHrmpNumPerCandidate: config.hrmpMaxMessageNumPerCandidate,
        requiredParent,
        validationCodeHash,
        upgradeRestriction: paras.upgradeRestrictionSignal.get(paraId) ?? null,
        futureValidationCode:
          futureAt !== undefined && futureHash !== undefined ? [futureAt, futureHash] : null,
      },
      pendingAvailability: (this.state.inclusion.pendingAvailability.get(paraId) ?? []).map(
        (c) => ({
          candidateHash: c.hash,
          descriptor: c.descriptor,
          commitments: c.commitments,
          relayParentNumber: c.relayParentNumber,
          // "Assume always same in session."
          maxPovSize: config.maxPovSize,
        }),
      ),
    };
  }

  /**
   * `with_assumption`: what a query reads of the para's state under `assumption` (null: no
   * answer). `Included` force-enacts the para's pending chain on a copy, once per para: only the
   * para's head, code hash and the max PoV size are read from it, so they are kept, not the copy
   * (a copy per para per block would dominate the memory of a 100-para run).
   */
  private viewUnder(paraId: ParaId, assumption: OccupiedCoreAssumption): ParaView | null {
    const pending = this.state.inclusion.pendingAvailability.get(paraId) ?? [];
    switch (assumption) {
      case "Included":
        if (pending.length === 0) return paraView(this.state, paraId);
        return memo(this.included, paraId, () => {
          const copy = copyForEnact(this.state, paraId);
          forceEnact(copy, paraId);
          return paraView(copy, paraId);
        });
      case "TimedOut":
        return paraView(this.state, paraId);
      case "Free":
        return pending.length === 0 ? paraView(this.state, paraId) : null;
      default:
        return assertNever(assumption, "OccupiedCoreAssumption");
    }
  }

  persistedValidationData(
    paraId: ParaId,
    assumption: OccupiedCoreAssumption,
  ): PersistedValidationData | null {
    return memo(this.pvds, `${paraId}/${assumption}`, () => {
      const v = this.viewUnder(paraId, assumption);
      if (v === null || v.head === undefined) return null;
      // `make_persisted_validation_data` at the current block: number and storage root of R.
      return {
        parentHead: v.head,
        relayParentNumber: this.state.now,
        relayParentStorageRoot: this.header.stateRoot,
        maxPovSize: v.maxPovSize,
      };
    });
  }

  validationCodeHash(paraId: ParaId, assumption: OccupiedCoreAssumption): Hash | null {
    return memo(this.codeHashes, `${paraId}/${assumption}`, () => {
      return this.viewUnder(paraId, assumption)?.codeHash ?? null;
    });
  }

  validationCodeByHash(hash: Hash): Uint8Array | null {
    return this.state.paras.codeByHash.get(hash) ?? null;
  }

  upgradeGoAheadSignal(paraId: ParaId): "GoAhead" | "Abort" | null {
    return this.state.paras.upgradeGoAheadSignal.get(paraId) ?? null;
  }

  candidatesPendingAvailability(paraId: ParaId): readonly CommittedCandidateReceipt[] {
    return memo(this.pendingReceipts, paraId, () =>
      candidatesPendingAvailability(this.state, paraId),
    );
  }

  asyncBackingParams(): AsyncBackingParams {
    return this.state.config.asyncBackingParams;
  }

  minimumBackingVotes(): number {
    return this.state.config.minimumBackingVotes;
  }

  nodeFeatures(): NodeFeatures {
    const bits = this.state.config.nodeFeatures;
    return {
      enableAssignmentsV2: isNodeFeatureEnabled(bits, FeatureIndex.EnableAssignmentsV2),
      elasticScalingMvp: isNodeFeatureEnabled(bits, FeatureIndex.ElasticScalingMVP),
      availabilityChunkMapping: isNodeFeatureEnabled(bits, FeatureIndex.AvailabilityChunkMapping),
      candidateReceiptV2: isNodeFeatureEnabled(bits, FeatureIndex.CandidateReceiptV2),
    };
  }

  schedulingLookahead(): number {
    return this.state.config.schedulerParams.lookahead;
  }

  /** `candidate_events`: the block's own inclusion events (frame_system's, of this block). */
  candidateEvents(): readonly CandidateEvent[] {
    const out: CandidateEvent[] = [];
    for (const e of this.state.events) {
      if (e.kind === "UpwardMessagesReceived") continue;
      const { candidateHash, receipt, headData, core } = e;
      if (e.kind === "CandidateTimedOut") {
        out.push({ kind: e.kind, candidateHash, receipt, headData, core });
      } else out.push({ kind: e.kind, candidateHash, receipt, headData, core, group: e.group });
    }
    return out;
  }

  executorTimeouts(): ExecutorTimeouts {
    const params = this.state.config.executorParams;
    return {
      backingMs: pvfExecTimeoutMs(params, "Backing"),
      approvalMs: pvfExecTimeoutMs(params, "Approval"),
    };
  }

  /**
   * `session_info`'s approval fields and `approval_voting_params`. Modelled: the active
   * configuration (the runtime copies it at each session start; it never changes in parapipe).
   * `n_cores` is the scheduler's number of availability cores, one per validator group:
   * `max(num_cores, validators / max_validators_per_core)` (session_info.rs
   * `initializer_on_new_session`), so more than `num_cores` when the groups outnumber the cores.
   */
  approvalParams(): ApprovalParams {
    const c = this.state.config;
    return {
      nCores: numAvailabilityCores(this.state.scheduler),
      neededApprovals: c.neededApprovals,
      relayVrfModuloSamples: c.relayVrfModuloSamples,
      nDelayTranches: c.nDelayTranches,
      zerothDelayTrancheWidth: c.zerothDelayTrancheWidth,
      noShowSlots: c.noShowSlots,
      maxApprovalCoalesceCount: c.approvalVotingParams.maxApprovalCoalesceCount,
    };
  }
}
