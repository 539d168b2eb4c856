/**
 * The four built-in presets with every value of SCENARIO.md's preset table. `sync` is a chain
 * before the upgrade (capacity 1, 12 s slots, basic collator, relay chain without async backing);
 * `async` is the upgrade guide's phase 3; `elastic-3` and `elastic-12` follow polkadot-sdk's
 * elastic-scaling guide (capacity = (2 + relayParentOffset) x velocity + 1).
 */
import { DEFAULT_GENERATION } from "./generation.ts";
import type { Scenario, ScenarioHostConfiguration } from "./scenario.ts";

/**
 * The model corrections of SEMANTICS.md §7 C5-C7, the same in every preset: sc-basic-authorship
 * fills 2/3 of the authoring duration (`max_duration - max_duration / 3`) with a soft deadline at
 * 50 %; the template runtime's `NORMAL_DISPATCH_RATIO` of 75 %; importing a block costs its
 * weight; relay blocks arrive at the slot start.
 */
const PROPOSAL_TIME_FRACTION = 2 / 3;
const SOFT_DEADLINE_PERCENT = 50;
const NORMAL_DISPATCH_RATIO = 0.75;
const IMPORT_COST_OF_WEIGHT = 1.0;
const BLOCK_ARRIVAL_DELAY_MS = 0;

export const PRESET_NAMES = ["sync", "async", "elastic-3", "elastic-12"] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const hostConfiguration = (
  depth: number,
  ancestry: number,
  lookahead: number,
  numCores: number,
  maxValidatorsPerCore: number,
): ScenarioHostConfiguration => ({
  asyncBackingParams: { maxCandidateDepth: depth, allowedAncestryLen: ancestry },
  schedulerParams: {
    lookahead,
    numCores,
    maxValidatorsPerCore,
    groupRotationFrequency: 10,
    parasAvailabilityPeriod: 10,
  },
  minimumBackingVotes: 2,
  validationUpgradeDelay: 2,
  minimumValidationUpgradeDelay: 12,
  validationUpgradeCooldown: 20,
  neededApprovals: 3,
  relayVrfModuloSamples: 2,
  nDelayTranches: 25,
  zerothDelayTrancheWidth: 0,
  noShowSlots: 2,
  maxPovSize: 10485760,
  executorParams: { pvfExecTimeoutBackingMs: 2500, pvfExecTimeoutApprovalMs: 15000 },
  nodeFeatures: {
    elasticScalingMvp: true,
    candidateReceiptV2: true,
    availabilityChunkMapping: false,
    enableAssignmentsV2: false,
  },
  approvalVotingParams: { maxApprovalCoalesceCount: 1 },
});

interface PresetRow {
  name: PresetName;
  validators: number;
  depth: number;
  ancestry: number;
  lookahead: number;
  cores: number;
  maxValidatorsPerCore: number;
  collator: Pick<
    Scenario["parachains"][number]["collator"],
    "kind" | "authoringDurationMs" | "slotOffsetMs"
  >;
  capacity: number;
  velocity: number;
  consensusHook: "expect-parent-included" | "fixed-velocity";
  slotDurationMs: number;
  multipleBlocks: boolean;
  relayNumber: "strict" | "monotonic";
  weightMs: number;
}

function preset(r: PresetRow): Scenario {
  return {
    name: r.name,
    seed: 1,
    relayBlocks: 60,
    warmupRelayBlocks: 5,
    preset: r.name,
    relay: {
      validators: r.validators,
      slotDurationMs: 6000,
      blockArrivalDelayMs: BLOCK_ARRIVAL_DELAY_MS,
      hostConfiguration: hostConfiguration(
        r.depth,
        r.ancestry,
        r.lookahead,
        r.cores,
        r.maxValidatorsPerCore,
      ),
    },
    parachains: [
      {
        id: 2000,
        cores: r.cores,
        collators: 2,
        collator: {
          ...r.collator,
          proposalTimeFraction: PROPOSAL_TIME_FRACTION,
          softDeadlinePercent: SOFT_DEADLINE_PERCENT,
        },
        runtime: {
          unincludedSegmentCapacity: r.capacity,
          blockProcessingVelocity: r.velocity,
          relayParentOffset: 0,
          relayChainSlotDurationMillis: 6000,
          slotDurationMs: r.slotDurationMs,
          allowMultipleBlocksPerSlot: r.multipleBlocks,
          checkAssociatedRelayNumber: r.relayNumber,
          consensusHook: r.consensusHook,
          maximumBlockWeightMs: r.weightMs,
          normalDispatchRatio: NORMAL_DISPATCH_RATIO,
          importCostOfWeight: IMPORT_COST_OF_WEIGHT,
        },
        load: { saturate: true, txPerSecond: null, txRefTimeUs: 200, txProofBytes: 128 },
      },
    ],
    network: { latencyMs: { mean: 50, jitter: 20 }, bandwidthMbps: 100, loss: 0 },
    validatorSpeed: 1.0,
    crypto: "sr25519",
    generation: DEFAULT_GENERATION,
    faults: [],
    faultPlan: null,
    adversaries: [],
    beyondBudget: false,
    livenessRelayBlocks: null,
    expect: [],
    upgrades: [],
  };
}

export const PRESETS: Readonly<Record<PresetName, Scenario>> = {
  sync: preset({
    name: "sync",
    validators: 10,
    depth: 0,
    ancestry: 0,
    lookahead: 1,
    cores: 1,
    maxValidatorsPerCore: 5,
    collator: { kind: "basic", authoringDurationMs: 500, slotOffsetMs: null },
    capacity: 1,
    velocity: 1,
    consensusHook: "expect-parent-included",
    slotDurationMs: 12000,
    multipleBlocks: false,
    relayNumber: "strict",
    weightMs: 500,
  }),
  async: preset({
    name: "async",
    validators: 12,
    depth: 3,
    ancestry: 2,
    lookahead: 3,
    cores: 1,
    maxValidatorsPerCore: 5,
    collator: { kind: "lookahead", authoringDurationMs: 2000, slotOffsetMs: null },
    capacity: 3,
    velocity: 1,
    consensusHook: "fixed-velocity",
    slotDurationMs: 6000,
    multipleBlocks: true,
    relayNumber: "monotonic",
    weightMs: 2000,
  }),
  "elastic-3": preset({
    name: "elastic-3",
    validators: 12,
    depth: 6,
    ancestry: 2,
    lookahead: 3,
    cores: 3,
    maxValidatorsPerCore: 4,
    collator: { kind: "slot-based", authoringDurationMs: 1500, slotOffsetMs: 1000 },
    capacity: 7,
    velocity: 3,
    consensusHook: "fixed-velocity",
    slotDurationMs: 6000,
    multipleBlocks: true,
    relayNumber: "monotonic",
    weightMs: 1000,
  }),
  "elastic-12": preset({
    name: "elastic-12",
    validators: 12,
    depth: 24,
    ancestry: 2,
    lookahead: 3,
    cores: 12,
    maxValidatorsPerCore: 1,
    collator: { kind: "slot-based", authoringDurationMs: 400, slotOffsetMs: 1000 },
    capacity: 25,
    velocity: 12,
    consensusHook: "fixed-velocity",
    slotDurationMs: 6000,
    multipleBlocks: true,
    relayNumber: "monotonic",
    weightMs: 250,
  }),
};
