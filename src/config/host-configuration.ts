/**
 * The relay chain's `HostConfiguration`: every field of polkadot-sdk's struct, camel-cased, with
 * `HostConfiguration.default()` (the values of `impl Default`) and `checkConsistency` (the checks of
 * `check_consistency`, in the same order, returning the first failing `InconsistentError` variant).
 *
 * Invariants: block numbers are `number` (u32); balances are `bigint` (u128); Perbill values are
 * parts per billion. The value is plain data (structuredClone-able), never mutated in place by the
 * runtime: config changes take effect only at session boundaries (`PendingConfigs`, not modelled here).
 *
 * Ref: polkadot/runtime/parachains/src/configuration.rs,
 *      polkadot/primitives/src/v8/mod.rs (AsyncBackingParams, SchedulerParams, ApprovalVotingParams,
 *      node_features), polkadot/primitives/src/v8/executor_params.rs.
 */
import { assertNever } from "../lib/assert.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type { BlockNumber, SessionIndex } from "../primitives/codecs.ts";

// ---------------------------------------------------------------------------------------------
// Hard limits (polkadot primitives and the pallets' bounds)
// ---------------------------------------------------------------------------------------------

/** `MAX_CODE_SIZE`: 3 MiB. */
export const MAX_CODE_SIZE = 3 * 1024 * 1024;
/** `MAX_HEAD_DATA_SIZE`: 1 MiB. */
export const MAX_HEAD_DATA_SIZE = 1 * 1024 * 1024;
/** `MAX_POV_SIZE` of current primitives: 10 MiB. */
export const MAX_POV_SIZE = 10 * 1024 * 1024;
/** `sc_network::MAX_RESPONSE_SIZE`: 16 MiB, the bound `max_pov_size` is checked against. */
export const MAX_RESPONSE_SIZE = 16 * 1024 * 1024;
/** `inclusion::MAX_UPWARD_MESSAGE_SIZE_BOUND`: 128 KiB. */
export const MAX_UPWARD_MESSAGE_SIZE_BOUND = 128 * 1024;
/** `MAX_HORIZONTAL_MESSAGE_NUM` (parachain primitives). */
export const MAX_HORIZONTAL_MESSAGE_NUM = 16 * 1024;
/** `MAX_UPWARD_MESSAGE_NUM` (parachain primitives). */
export const MAX_UPWARD_MESSAGE_NUM = 16 * 1024;
/** `hrmp::HRMP_MAX_OUTBOUND_CHANNELS_BOUND`. */
export const HRMP_MAX_OUTBOUND_CHANNELS_BOUND = 128;
/** `hrmp::HRMP_MAX_INBOUND_CHANNELS_BOUND`. */
export const HRMP_MAX_INBOUND_CHANNELS_BOUND = 128;
/** `LEGACY_MIN_BACKING_VOTES`. */
export const LEGACY_MIN_BACKING_VOTES = 2;
/** `ON_DEMAND_DEFAULT_QUEUE_MAX_SIZE`. */
export const ON_DEMAND_DEFAULT_QUEUE_MAX_SIZE = 10_000;
/** `ON_DEMAND_MAX_QUEUE_MAX_SIZE`. */
export const ON_DEMAND_MAX_QUEUE_MAX_SIZE = 1_000_000_000;

// ---------------------------------------------------------------------------------------------
// Parameter groups
// ---------------------------------------------------------------------------------------------

export interface AsyncBackingParams {
  /** Max para blocks between the para head in a relay parent and a new candidate (0 = sync). */
  readonly maxCandidateDepth: number;
  /** How many ancestors of a relay block may be used as relay parents (0 = only the block). */
  readonly allowedAncestryLen: number;
}

export interface SchedulerParams {
  /** How often (in blocks) groups rotate between cores; must be non-zero. */
  readonly groupRotationFrequency: BlockNumber;
  /** Availability period (blocks) after a rotation during which timeouts are evaluated; >= 1. */
  readonly parasAvailabilityPeriod: BlockNumber;
  readonly maxValidatorsPerCore: number | null;
  /** Claim-queue depth ("scheduling lookahead"); >= 1 and <= ttl. */
  readonly lookahead: number;
  readonly numCores: number;
  /** Deprecated. */
  readonly maxAvailabilityTimeouts: number;
  readonly onDemandQueueMaxSize: number;
  /** Perbill, parts per billion. */
  readonly onDemandTargetQueueUtilization: number;
  /** Perbill, parts per billion. */
  readonly onDemandFeeVariability: number;
  readonly onDemandBaseFee: bigint;
  /** Deprecated. */
  readonly ttl: BlockNumber;
}

export interface ApprovalVotingParams {
  readonly maxApprovalCoalesceCount: number;
}

export type PvfPrepKind = "Precheck" | "Prepare";
export type PvfExecKind = "Backing" | "Approval";

/** One `ExecutorParam`; `ExecutorParams` is their list (order as on chain). */
export type ExecutorParam =
  | { readonly kind: "MaxMemoryPages"; readonly value: number }
  | { readonly kind: "StackLogicalMax"; readonly value: number }
  | { readonly kind: "StackNativeMax"; readonly value: number }
  | { readonly kind: "PrecheckingMaxMemory"; readonly value: number }
  | { readonly kind: "PvfPrepTimeout"; readonly prepKind: PvfPrepKind; readonly timeoutMs: number }
  | { readonly kind: "PvfExecTimeout"; readonly execKind: PvfExecKind; readonly timeoutMs: number }
  | { readonly kind: "WasmExtBulkMemory" };
export type ExecutorParams = readonly ExecutorParam[];

export const DEFAULT_LOGICAL_STACK_MAX = 65536;
export const DEFAULT_NATIVE_STACK_MAX = 256 * 1024 * 1024;
export const MEMORY_PAGES_MAX = 65536;
export const LOGICAL_MAX_LO = 1024;
export const LOGICAL_MAX_HI = 2 * 65536;
export const PRECHECK_MEM_MAX_LO = 256 * 1024 * 1024;
export const PRECHECK_MEM_MAX_HI = 16 * 1024 * 1024 * 1024;
export const DEFAULT_PRECHECK_PREPARATION_TIMEOUT_MS = 60_000;
export const DEFAULT_LENIENT_PREPARATION_TIMEOUT_MS = 360_000;
export const DEFAULT_BACKING_EXECUTION_TIMEOUT_MS = 2_000;
export const DEFAULT_APPROVAL_EXECUTION_TIMEOUT_MS = 12_000;

/** `ExecutorParams::pvf_exec_timeout`, falling back to the defaults as the PVF host does. */
export function pvfExecTimeoutMs(params: ExecutorParams, kind: PvfExecKind): number {
  for (const p of params)
    if (p.kind === "PvfExecTimeout" && p.execKind === kind) return p.timeoutMs;
  return kind === "Backing"
    ? DEFAULT_BACKING_EXECUTION_TIMEOUT_MS
    : DEFAULT_APPROVAL_EXECUTION_TIMEOUT_MS;
}

/** `ExecutorParams::pvf_prep_timeout`, falling back to the defaults. */
export function pvfPrepTimeoutMs(params: ExecutorParams, kind: PvfPrepKind): number {
  for (const p of params)
    if (p.kind === "PvfPrepTimeout" && p.prepKind === kind) return p.timeoutMs;
  return kind === "Precheck"
    ? DEFAULT_PRECHECK_PREPARATION_TIMEOUT_MS
    : DEFAULT_LENIENT_PREPARATION_TIMEOUT_MS;
}

export type ExecutorParamError =
  | { readonly code: "DuplicatedParam"; readonly param: string }
  | { readonly code: "OutsideLimit"; readonly param: string }
  | { readonly code: "IncompatibleValues"; readonly params: readonly [string, string] };

function paramIdent(p: ExecutorParam): string {
  switch (p.kind) {
    case "PvfPrepTimeout":
      return `PvfPrepKind::${p.prepKind}`;
    case "PvfExecTimeout":
      return `PvfExecKind::${p.execKind}`;
    default:
      return p.kind;
  }
}

/** `ExecutorParams::check_consistency`: duplicates, then ranges (per param in order), then pairs. */
export function checkExecutorParamsConsistency(
  params: ExecutorParams,
): Result<undefined, ExecutorParamError> {
  const seen = new Map<string, number>();
  for (const p of params) {
    const ident = paramIdent(p);
    if (seen.has(ident)) return err({ code: "DuplicatedParam", param: ident });
    let value: number;
    let outOfLimit = false;
    switch (p.kind) {
      case "MaxMemoryPages":
        value = p.value;
        outOfLimit = p.value === 0 || p.value > MEMORY_PAGES_MAX;
        break;
      case "StackLogicalMax":
        value = p.value;
        outOfLimit = p.value < LOGICAL_MAX_LO || p.value > LOGICAL_MAX_HI;
        break;
      case "StackNativeMax":
        value = p.value;
        break;
      case "PrecheckingMaxMemory":
        value = p.value;
        outOfLimit = p.value < PRECHECK_MEM_MAX_LO || p.value > PRECHECK_MEM_MAX_HI;
        break;
      case "PvfPrepTimeout":
      case "PvfExecTimeout":
        value = p.timeoutMs;
        break;
      case "WasmExtBulkMemory":
        value = 1;
        break;
      default:
        return assertNever(p, "ExecutorParam");
    }
    if (outOfLimit) return err({ code: "OutsideLimit", param: ident });
    seen.set(ident, value);
  }
  const lm = seen.get("StackLogicalMax") ?? DEFAULT_LOGICAL_STACK_MAX;
  const nm = seen.get("StackNativeMax") ?? DEFAULT_NATIVE_STACK_MAX;
  if (nm < 128 * lm)
    return err({ code: "IncompatibleValues", params: ["StackLogicalMax", "StackNativeMax"] });
  const precheck = seen.get("PvfPrepKind::Precheck") ?? DEFAULT_PRECHECK_PREPARATION_TIMEOUT_MS;
  const lenient = seen.get("PvfPrepKind::Prepare") ?? DEFAULT_LENIENT_PREPARATION_TIMEOUT_MS;
  if (precheck >= lenient) {
    return err({
      code: "IncompatibleValues",
      params: ["PvfPrepKind::Precheck", "PvfPrepKind::Prepare"],
    });
  }
  const backing = seen.get("PvfExecKind::Backing") ?? DEFAULT_BACKING_EXECUTION_TIMEOUT_MS;
  const approval = seen.get("PvfExecKind::Approval") ?? DEFAULT_APPROVAL_EXECUTION_TIMEOUT_MS;
  if (backing >= approval) {
    return err({
      code: "IncompatibleValues",
      params: ["PvfExecKind::Backing", "PvfExecKind::Approval"],
    });
  }
  return ok(undefined);
}

// ---------------------------------------------------------------------------------------------
// Node features
// ---------------------------------------------------------------------------------------------

/** `node_features::FeatureIndex`: bit positions in `NodeFeatures`. */
export const FeatureIndex = {
  EnableAssignmentsV2: 0,
  ElasticScalingMVP: 1,
  AvailabilityChunkMapping: 2,
  CandidateReceiptV2: 3,
} as const;
export type FeatureIndex = (typeof FeatureIndex)[keyof typeof FeatureIndex];

/** `NodeFeatures` (`BitVec<u8, Lsb0>`): bit i is `features[i]`; missing bits are unset. */
export type NodeFeatures = readonly boolean[];

export function nodeFeatures(...enabled: FeatureIndex[]): NodeFeatures {
  const out: boolean[] = [];
  const len = enabled.length === 0 ? 0 : Math.max(...enabled) + 1;
  for (let i = 0; i < len; i++) out.push(enabled.includes(i as FeatureIndex));
  return out;
}

export function isNodeFeatureEnabled(features: NodeFeatures, index: FeatureIndex): boolean {
  return features[index] === true;
}

// ---------------------------------------------------------------------------------------------
// HostConfiguration
// ---------------------------------------------------------------------------------------------

export interface HostConfiguration {
  readonly maxCodeSize: number;
  readonly maxHeadDataSize: number;
  readonly maxUpwardQueueCount: number;
  readonly maxUpwardQueueSize: number;
  readonly maxUpwardMessageSize: number;
  readonly maxUpwardMessageNumPerCandidate: number;
  readonly hrmpMaxMessageNumPerCandidate: number;
  readonly validationUpgradeCooldown: BlockNumber;
  readonly validationUpgradeDelay: BlockNumber;
  readonly asyncBackingParams: AsyncBackingParams;
  readonly maxPovSize: number;
  readonly maxDownwardMessageSize: number;
  readonly hrmpMaxParachainOutboundChannels: number;
  readonly hrmpSenderDeposit: bigint;
  readonly hrmpRecipientDeposit: bigint;
  readonly hrmpChannelMaxCapacity: number;
  readonly hrmpChannelMaxTotalSize: number;
  readonly hrmpMaxParachainInboundChannels: number;
  readonly hrmpChannelMaxMessageSize: number;
  readonly executorParams: ExecutorParams;
  readonly codeRetentionPeriod: BlockNumber;
  readonly maxValidators: number | null;
  readonly disputePeriod: SessionIndex;
  readonly disputePostConclusionAcceptancePeriod: BlockNumber;
  readonly noShowSlots: number;
  readonly nDelayTranches: number;
  readonly zerothDelayTrancheWidth: number;
  readonly neededApprovals: number;
  readonly relayVrfModuloSamples: number;
  readonly pvfVotingTtl: SessionIndex;
  readonly minimumValidationUpgradeDelay: BlockNumber;
  readonly minimumBackingVotes: number;
  readonly nodeFeatures: NodeFeatures;
  readonly approvalVotingParams: ApprovalVotingParams;
  readonly schedulerParams: SchedulerParams;
}

/** `SchedulerParams::default()`. */
export function defaultSchedulerParams(): SchedulerParams {
  return {
    groupRotationFrequency: 1,
    parasAvailabilityPeriod: 1,
    maxValidatorsPerCore: null,
    lookahead: 1,
    numCores: 0,
    maxAvailabilityTimeouts: 0,
    onDemandQueueMaxSize: ON_DEMAND_DEFAULT_QUEUE_MAX_SIZE,
    onDemandTargetQueueUtilization: 250_000_000,
    onDemandFeeVariability: 30_000_000,
    onDemandBaseFee: 10_000_000n,
    ttl: 5,
  };
}

/** `HostConfiguration::default()` (without the runtime-benchmarks adjustments). */
function defaultHostConfiguration(): HostConfiguration {
  return {
    asyncBackingParams: { maxCandidateDepth: 0, allowedAncestryLen: 0 },
    noShowSlots: 1,
    validationUpgradeCooldown: 0,
    validationUpgradeDelay: 2,
    codeRetentionPeriod: 0,
    maxCodeSize: MAX_CODE_SIZE,
    maxPovSize: 0,
    maxHeadDataSize: 0,
    maxValidators: null,
    disputePeriod: 6,
    disputePostConclusionAcceptancePeriod: 100,
    nDelayTranches: 1,
    zerothDelayTrancheWidth: 0,
    neededApprovals: 0,
    relayVrfModuloSamples: 0,
    maxUpwardQueueCount: 0,
    maxUpwardQueueSize: 0,
    maxDownwardMessageSize: 0,
    maxUpwardMessageSize: 0,
    maxUpwardMessageNumPerCandidate: 0,
    hrmpSenderDeposit: 0n,
    hrmpRecipientDeposit: 0n,
    hrmpChannelMaxCapacity: 0,
    hrmpChannelMaxTotalSize: 0,
    hrmpMaxParachainInboundChannels: 0,
    hrmpChannelMaxMessageSize: 0,
    hrmpMaxParachainOutboundChannels: 0,
    hrmpMaxMessageNumPerCandidate: 0,
    pvfVotingTtl: 2,
    minimumValidationUpgradeDelay: 2,
    executorParams: [],
    approvalVotingParams: { maxApprovalCoalesceCount: 1 },
    minimumBackingVotes: LEGACY_MIN_BACKING_VOTES,
    nodeFeatures: [],
    schedulerParams: defaultSchedulerParams(),
  };
}

/** The type's companion: `HostConfiguration.default()` as in Rust. */
export const HostConfiguration = { default: defaultHostConfiguration } as const;

/** `InconsistentError`, with Rust's struct-variant fields camel-cased. */
export type InconsistentError =
  | { readonly code: "ZeroGroupRotationFrequency" }
  | { readonly code: "ZeroParasAvailabilityPeriod" }
  | { readonly code: "ZeroNoShowSlots" }
  | { readonly code: "MaxCodeSizeExceedHardLimit"; readonly maxCodeSize: number }
  | { readonly code: "MaxHeadDataSizeExceedHardLimit"; readonly maxHeadDataSize: number }
  | { readonly code: "MaxPovSizeExceedHardLimit"; readonly maxPovSize: number }
  | {
      readonly code: "MinimumValidationUpgradeDelayLessThanChainAvailabilityPeriod";
      readonly minimumValidationUpgradeDelay: BlockNumber;
      readonly parasAvailabilityPeriod: BlockNumber;
    }
  | {
      readonly code: "ValidationUpgradeDelayIsTooLow";
      readonly validationUpgradeDelay: BlockNumber;
    }
  | { readonly code: "MaxUpwardMessageSizeExceeded"; readonly maxMessageSize: number }
  | { readonly code: "MaxHorizontalMessageNumExceeded"; readonly maxMessageNum: number }
  | { readonly code: "MaxUpwardMessageNumExceeded"; readonly maxMessageNum: number }
  | { readonly code: "MaxHrmpOutboundChannelsExceeded" }
  | { readonly code: "MaxHrmpInboundChannelsExceeded" }
  | { readonly code: "ZeroMinimumBackingVotes" }
  | { readonly code: "InconsistentExecutorParams"; readonly inner: ExecutorParamError }
  | { readonly code: "LookaheadExceedsTTL" }
  | { readonly code: "LookaheadZero" }
  | { readonly code: "OnDemandQueueSizeTooLarge" }
  | { readonly code: "ZeroDelayTranches" };

/** `HostConfiguration::check_consistency`: the first failing check, in polkadot-sdk's order. */
export function checkConsistency(c: HostConfiguration): Result<undefined, InconsistentError> {
  const s = c.schedulerParams;
  if (s.groupRotationFrequency === 0) return err({ code: "ZeroGroupRotationFrequency" });
  if (s.parasAvailabilityPeriod === 0) return err({ code: "ZeroParasAvailabilityPeriod" });
  if (c.noShowSlots === 0) return err({ code: "ZeroNoShowSlots" });
  if (c.maxCodeSize > MAX_CODE_SIZE)
    return err({ code: "MaxCodeSizeExceedHardLimit", maxCodeSize: c.maxCodeSize });
  if (c.maxHeadDataSize > MAX_HEAD_DATA_SIZE)
    return err({ code: "MaxHeadDataSizeExceedHardLimit", maxHeadDataSize: c.maxHeadDataSize });
  if (c.maxPovSize > MAX_RESPONSE_SIZE)
    return err({ code: "MaxPovSizeExceedHardLimit", maxPovSize: c.maxPovSize });
  if (c.minimumValidationUpgradeDelay <= s.parasAvailabilityPeriod) {
    return err({
      code: "MinimumValidationUpgradeDelayLessThanChainAvailabilityPeriod",
      minimumValidationUpgradeDelay: c.minimumValidationUpgradeDelay,
      parasAvailabilityPeriod: s.parasAvailabilityPeriod,
    });
  }
  if (c.validationUpgradeDelay <= 1) {
    return err({
      code: "ValidationUpgradeDelayIsTooLow",
      validationUpgradeDelay: c.validationUpgradeDelay,
    });
  }
  if (c.maxUpwardMessageSize > MAX_UPWARD_MESSAGE_SIZE_BOUND)
    return err({ code: "MaxUpwardMessageSizeExceeded", maxMessageSize: c.maxUpwardMessageSize });
  if (c.hrmpMaxMessageNumPerCandidate > MAX_HORIZONTAL_MESSAGE_NUM) {
    return err({
      code: "MaxHorizontalMessageNumExceeded",
      maxMessageNum: c.hrmpMaxMessageNumPerCandidate,
    });
  }
  if (c.maxUpwardMessageNumPerCandidate > MAX_UPWARD_MESSAGE_NUM) {
    return err({
      code: "MaxUpwardMessageNumExceeded",
      maxMessageNum: c.maxUpwardMessageNumPerCandidate,
    });
  }
  if (c.hrmpMaxParachainOutboundChannels > HRMP_MAX_OUTBOUND_CHANNELS_BOUND)
    return err({ code: "MaxHrmpOutboundChannelsExceeded" });
  if (c.hrmpMaxParachainInboundChannels > HRMP_MAX_INBOUND_CHANNELS_BOUND)
    return err({ code: "MaxHrmpInboundChannelsExceeded" });
  if (c.minimumBackingVotes === 0) return err({ code: "ZeroMinimumBackingVotes" });
  const exec = checkExecutorParamsConsistency(c.executorParams);
  if (!exec.ok) return err({ code: "InconsistentExecutorParams", inner: exec.error });
  if (s.ttl < s.lookahead) return err({ code: "LookaheadExceedsTTL" });
  if (s.lookahead === 0) return err({ code: "LookaheadZero" });
  if (s.onDemandQueueMaxSize > ON_DEMAND_MAX_QUEUE_MAX_SIZE)
    return err({ code: "OnDemandQueueSizeTooLarge" });
  if (c.nDelayTranches === 0) return err({ code: "ZeroDelayTranches" });
  return ok(undefined);
}
