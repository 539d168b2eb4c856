/**
 * The runtimes' configurations of a scenario: the relay chain's `HostConfiguration` and each
 * parachain runtime's `RuntimeConfig` (`parachain-runtime.ts`). The runtimes (`src/relay/`,
 * `src/parachain/`) take these values and know nothing of the scenario schema.
 *
 * Host configuration: the scenario's `relay.hostConfiguration` keys (SCENARIO.md) laid over a
 * base configuration, then `checkConsistency`.
 *
 * Base (every key the scenario has no name for): polkadot-sdk's test-network genesis preset
 * (`default_parachains_host_configuration` of the rococo / westend presets), not
 * `HostConfiguration::default()`, whose zero head-data size and zero upward queue would refuse
 * every candidate: max code 3 MiB, max head data 32 KiB, upward queue 8 messages / 1 MiB,
 * upward message 50 KiB and 5 per candidate, downward message 1 MiB, HRMP channels of 8 messages /
 * 8 KiB (4 in, 4 out, 5 messages per candidate), code retention 1200, dispute period 6.
 *
 * Mapped keys: async backing params; scheduler params `lookahead`, `numCores`,
 * `maxValidatorsPerCore`, `groupRotationFrequency`, `parasAvailabilityPeriod` (the others keep
 * `SchedulerParams::default()`, e.g. `ttl` 5, so `lookahead` > 5 is `LookaheadExceedsTTL`);
 * `minimumBackingVotes`; `validationUpgradeDelay`, `minimumValidationUpgradeDelay`,
 * `validationUpgradeCooldown` (SCENARIO.md's preset values 2 / 12 / 20); approval-checking numbers; `maxPovSize`; `executorParams` →
 * `PvfExecTimeout(Backing, ms)` and `PvfExecTimeout(Approval, ms)`; `nodeFeatures` → the bits of
 * `FeatureIndex`; `approvalVotingParams`.
 *
 * The result is returned with the consistency check's verdict: a caller refuses an inconsistent
 * scenario with the Rust variant's name (`InconsistentError.code`), never runs it.
 *
 * Parachain runtime: a `parachains[]` entry's `runtime` keys, camel-cased as in the runtime
 * (`checkAssociatedRelayNumber` names the parachain-system implementation, `maximumBlockWeightMs`
 * becomes whole µs), its load's transaction weights, and the ledger's size (not a scenario key).
 *
 * Ref: polkadot/runtime/parachains/src/configuration.rs (HostConfiguration, check_consistency),
 *      polkadot/runtime/{rococo,westend}/src/genesis_config_presets.rs
 *      (default_parachains_host_configuration), polkadot/primitives (node_features::FeatureIndex).
 */
import { assertNever } from "../lib/assert.ts";
import { err, ok, type Result } from "../lib/result.ts";
import {
  checkConsistency,
  defaultSchedulerParams,
  type ExecutorParam,
  FeatureIndex,
  HostConfiguration,
  type InconsistentError,
  MAX_CODE_SIZE,
  nodeFeatures,
} from "./host-configuration.ts";
import {
  type CheckAssociatedRelayNumber,
  DEFAULT_ACCOUNTS,
  type RuntimeConfig,
} from "./parachain-runtime.ts";
import type {
  ParachainSpec,
  RelayNumberCheck,
  Scenario,
  ScenarioHostConfiguration,
} from "./scenario.ts";
import { type PhaseChange, UPGRADE_PHASES } from "./upgrade-phases.ts";

/** The base the scenario's keys are laid over (see the header). */
export function genesisPresetHostConfiguration(): HostConfiguration {
  return {
    ...HostConfiguration.default(),
    validationUpgradeCooldown: 2,
    validationUpgradeDelay: 2,
    codeRetentionPeriod: 1200,
    maxCodeSize: MAX_CODE_SIZE,
    maxHeadDataSize: 32 * 1024,
    maxUpwardQueueCount: 8,
    maxUpwardQueueSize: 1024 * 1024,
    maxDownwardMessageSize: 1024 * 1024,
    maxUpwardMessageSize: 50 * 1024,
    maxUpwardMessageNumPerCandidate: 5,
    hrmpSenderDeposit: 0n,
    hrmpRecipientDeposit: 0n,
    hrmpChannelMaxCapacity: 8,
    hrmpChannelMaxTotalSize: 8 * 1024,
    hrmpMaxParachainInboundChannels: 4,
    hrmpChannelMaxMessageSize: 1024 * 1024,
    hrmpMaxParachainOutboundChannels: 4,
    hrmpMaxMessageNumPerCandidate: 5,
    disputePeriod: 6,
    minimumValidationUpgradeDelay: 5,
  };
}

/** The scenario's configuration (see the header), whether or not it is consistent. */
export function hostConfigurationFromScenario(s: ScenarioHostConfiguration): HostConfiguration {
  const base = genesisPresetHostConfiguration();
  const sp = s.schedulerParams;
  const executorParams: ExecutorParam[] = [
    {
      kind: "PvfExecTimeout",
      execKind: "Backing",
      timeoutMs: s.executorParams.pvfExecTimeoutBackingMs,
    },
    {
      kind: "PvfExecTimeout",
      execKind: "Approval",
      timeoutMs: s.executorParams.pvfExecTimeoutApprovalMs,
    },
  ];
  const features: FeatureIndex[] = [];
  if (s.nodeFeatures.enableAssignmentsV2) features.push(FeatureIndex.EnableAssignmentsV2);
  if (s.nodeFeatures.elasticScalingMvp) features.push(FeatureIndex.ElasticScalingMVP);
  if (s.nodeFeatures.availabilityChunkMapping) features.push(FeatureIndex.AvailabilityChunkMapping);
  if (s.nodeFeatures.candidateReceiptV2) features.push(FeatureIndex.CandidateReceiptV2);
  return {
    ...base,
    asyncBackingParams: {
      maxCandidateDepth: s.asyncBackingParams.maxCandidateDepth,
      allowedAncestryLen: s.asyncBackingParams.allowedAncestryLen,
    },
    schedulerParams: {
      ...defaultSchedulerParams(),
      lookahead: sp.lookahead,
      numCores: sp.numCores,
      maxValidatorsPerCore: sp.maxValidatorsPerCore,
      groupRotationFrequency: sp.groupRotationFrequency,
      parasAvailabilityPeriod: sp.parasAvailabilityPeriod,
    },
    validationUpgradeDelay: s.validationUpgradeDelay,
    minimumValidationUpgradeDelay: s.minimumValidationUpgradeDelay,
    validationUpgradeCooldown: s.validationUpgradeCooldown,
    minimumBackingVotes: s.minimumBackingVotes,
    neededApprovals: s.neededApprovals,
    relayVrfModuloSamples: s.relayVrfModuloSamples,
    nDelayTranches: s.nDelayTranches,
    zerothDelayTrancheWidth: s.zerothDelayTrancheWidth,
    noShowSlots: s.noShowSlots,
    maxPovSize: s.maxPovSize,
    executorParams,
    nodeFeatures: nodeFeatures(...features),
    approvalVotingParams: {
      maxApprovalCoalesceCount: s.approvalVotingParams.maxApprovalCoalesceCount,
    },
  };
}

/**
 * The scenario's configuration if it passes `checkConsistency`, else the first
 * `InconsistentError` (refuse the scenario with its `code`, the Rust variant's name).
 */
export function consistentHostConfigurationFromScenario(
  s: ScenarioHostConfiguration,
): Result<HostConfiguration, InconsistentError> {
  const config = hostConfigurationFromScenario(s);
  const checked = checkConsistency(config);
  return checked.ok ? ok(config) : err(checked.error);
}

function relayNumberCheck(c: RelayNumberCheck): CheckAssociatedRelayNumber {
  switch (c) {
    case "strict":
      return "RelayNumberStrictlyIncreases";
    case "monotonic":
      return "RelayNumberMonotonicallyIncreases";
    case "any":
      return "AnyRelayNumber";
    default:
      return assertNever(c, "checkAssociatedRelayNumber");
  }
}

/**
 * The runtime configuration of a scenario's parachain (see the header). The field order is part
 * of the para's validation code (`parachain-runtime.ts`): keep it.
 */
export function parachainRuntimeConfigFromScenario(
  spec: ParachainSpec,
  accounts = DEFAULT_ACCOUNTS,
): RuntimeConfig {
  const r = spec.runtime;
  return {
    paraId: spec.id,
    unincludedSegmentCapacity: r.unincludedSegmentCapacity,
    blockProcessingVelocity: r.blockProcessingVelocity,
    relayParentOffset: r.relayParentOffset,
    relayChainSlotDurationMillis: r.relayChainSlotDurationMillis,
    slotDurationMs: r.slotDurationMs,
    allowMultipleBlocksPerSlot: r.allowMultipleBlocksPerSlot,
    checkAssociatedRelayNumber: relayNumberCheck(r.checkAssociatedRelayNumber),
    consensusHook: r.consensusHook,
    maximumBlockWeightUs: Math.round(r.maximumBlockWeightMs * 1000),
    normalDispatchRatio: r.normalDispatchRatio,
    txRefTimeUs: spec.load.txRefTimeUs,
    txProofBytes: spec.load.txProofBytes,
    accounts,
  };
}

/** A para's upgrades (`Scenario.upgrades` naming it, the first para by default), phases resolved. */
function changesOf(
  scenario: Pick<Scenario, "upgrades" | "parachains">,
  spec: ParachainSpec,
): { readonly at: number; readonly change: PhaseChange }[] {
  const first = scenario.parachains[0]?.id;
  return scenario.upgrades
    .filter((u) => (u.para ?? first) === spec.id)
    .map((u) => ({
      at: u.at,
      change:
        u.phase !== undefined
          ? UPGRADE_PHASES[u.phase]
          : {
              ...(u.runtime === undefined ? {} : { runtime: u.runtime }),
              ...(u.collator === undefined ? {} : { collator: u.collator }),
            },
    }));
}

/**
 * A para's runtime upgrades: the relay block from which each is submitted and the whole runtime
 * it installs, each upgrade's changes applied on top of the previous one's runtime.
 */
export function runtimeUpgradesOf(
  scenario: Pick<Scenario, "upgrades" | "parachains">,
  spec: ParachainSpec,
  accounts = DEFAULT_ACCOUNTS,
): { readonly atRelayBlock: number; readonly runtime: RuntimeConfig }[] {
  let runtime = spec.runtime;
  return changesOf(scenario, spec)
    .filter((c) => c.change.runtime !== undefined)
    .map((c) => {
      runtime = { ...runtime, ...c.change.runtime };
      return {
        atRelayBlock: c.at,
        runtime: parachainRuntimeConfigFromScenario({ ...spec, runtime }, accounts),
      };
    });
}

/**
 * A para's collator restarts: the relay block at which the nodes restart and the para spec they
 * restart with (each change on top of the previous one's collator settings).
 */
export function collatorRestartsOf(
  scenario: Pick<Scenario, "upgrades" | "parachains">,
  spec: ParachainSpec,
): { readonly atRelayBlock: number; readonly spec: ParachainSpec }[] {
  let collator = spec.collator;
  return changesOf(scenario, spec)
    .filter((c) => c.change.collator !== undefined)
    .map((c) => {
      collator = { ...collator, ...c.change.collator };
      return { atRelayBlock: c.at, spec: { ...spec, collator } };
    });
}
