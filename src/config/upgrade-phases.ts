/**
 * The async backing upgrade guide's three phases, as changes a scenario's `upgrades:` list can
 * schedule (`{at: n, phase: 1 | 2 | 3}`): phases 1 and 3 are runtime upgrades (through the relay
 * chain's code-upgrade path), phase 2 is a collator node restart.
 *
 * - Phase 1 (runtime): the FixedVelocityConsensusHook with capacity 1 and velocity 1 (still 12 s
 *   blocks: "With a capacity of 1 we have an effective velocity of ½"), relay-number check
 *   `RelayNumberMonotonicallyIncreases`, `AllowMultipleBlocksPerSlot = false`,
 *   `RELAY_CHAIN_SLOT_DURATION_MILLIS = 6000`, `SLOT_DURATION = 12000`.
 * - Phase 2 (collator): the lookahead collator, `authoring_duration` 500 -> 2000 ms.
 * - Phase 3 (runtime): capacity 3, velocity 1, `SLOT_DURATION = 6000` (under the guide's own
 *   warning that changing it "will brick block production"), `AllowMultipleBlocksPerSlot = true`,
 *   `MAXIMUM_BLOCK_WEIGHT` 2 s.
 *
 * Ref: polkadot-sdk docs/sdk/src/guides/async_backing_guide.rs (the seed document
 *      upgrade guide, seed 001 of the project), phases 1-3.
 */
import type { ParachainRuntimeSpec, ParachainSpec } from "./scenario.ts";

export type UpgradePhase = 1 | 2 | 3;

/** What a phase changes: the runtime's constants, or the collator node. */
export interface PhaseChange {
  readonly runtime?: Partial<ParachainRuntimeSpec>;
  readonly collator?: Partial<ParachainSpec["collator"]>;
}

export const UPGRADE_PHASES: Readonly<Record<UpgradePhase, PhaseChange>> = {
  1: {
    runtime: {
      consensusHook: "fixed-velocity",
      unincludedSegmentCapacity: 1,
      blockProcessingVelocity: 1,
      checkAssociatedRelayNumber: "monotonic",
      allowMultipleBlocksPerSlot: false,
      relayChainSlotDurationMillis: 6000,
      slotDurationMs: 12000,
    },
  },
  2: { collator: { kind: "lookahead", authoringDurationMs: 2000 } },
  3: {
    runtime: {
      unincludedSegmentCapacity: 3,
      blockProcessingVelocity: 1,
      slotDurationMs: 6000,
      allowMultipleBlocksPerSlot: true,
      maximumBlockWeightMs: 2000,
    },
  },
};
