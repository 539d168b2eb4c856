/**
 * The parachain runtime's configuration: the constants a cumulus runtime is built with (those of
 * the async backing and elastic scaling guides: `UNINCLUDED_SEGMENT_CAPACITY`,
 * `BLOCK_PROCESSING_VELOCITY`, `RELAY_CHAIN_SLOT_DURATION_MILLIS`, Aura's `SLOT_DURATION`,
 * `MAXIMUM_BLOCK_WEIGHT`...), its parachain-system and Aura settings, and the benchmarked weight
 * of its one transaction (a transfer). `src/parachain/` runs on it; how a scenario sets it is
 * `parachainRuntimeConfigFromScenario` (`from-scenario.ts`), as for the relay chain's
 * `HostConfiguration`, so the runtime knows nothing of the scenario schema.
 *
 * Invariants:
 * - Plain data, JSON-serialisable: a para's validation code is this value's JSON
 *   (`parachain/genesis.ts`), so paras whose configurations differ have different code hashes,
 *   as they would on chain. The field order is therefore part of every code hash and trace.
 * - `maximumBlockWeightUs` and `txRefTimeUs` are µs of ref time; `txProofBytes` is proof size.
 *
 * Ref: cumulus/pallets/parachain-system/src/lib.rs (Config: CheckAssociatedRelayNumber,
 *      ConsensusHook), cumulus/pallets/aura-ext/src/consensus_hook.rs
 *      (FixedVelocityConsensusHook<RELAY_CHAIN_SLOT_DURATION_MILLIS, V, C>),
 *      substrate/frame/aura/src/lib.rs (AllowMultipleBlocksPerSlot, SlotDuration),
 *      templates/parachain/runtime/src/lib.rs (NORMAL_DISPATCH_RATIO, RuntimeBlockWeights) and docs/sdk/src/guides/async_backing_guide.rs
 *      (the constants of a parachain runtime).
 */
import type { ParaId } from "../primitives/codecs.ts";

/** Accounts of the ledger unless a caller says otherwise (the scenario has no key for it). */
export const DEFAULT_ACCOUNTS = 1024;

/** The `CheckAssociatedRelayNumber` implementations of parachain-system. */
export type CheckAssociatedRelayNumber =
  | "RelayNumberStrictlyIncreases"
  | "RelayNumberMonotonicallyIncreases"
  | "AnyRelayNumber";

/** The runtime's constants: the cumulus configuration of the upgrade guide, and the load's weights. */
export interface RuntimeConfig {
  readonly paraId: ParaId;
  /** `UNINCLUDED_SEGMENT_CAPACITY` (`C` of the hook). */
  readonly unincludedSegmentCapacity: number;
  /** `BLOCK_PROCESSING_VELOCITY` (`V` of the hook). */
  readonly blockProcessingVelocity: number;
  readonly relayParentOffset: number;
  /** `RELAY_CHAIN_SLOT_DURATION_MILLIS`: what the runtime believes the relay slot is. */
  readonly relayChainSlotDurationMillis: number;
  /** `SLOT_DURATION` (pallet_aura). */
  readonly slotDurationMs: number;
  /** pallet_aura `AllowMultipleBlocksPerSlot`. */
  readonly allowMultipleBlocksPerSlot: boolean;
  readonly checkAssociatedRelayNumber: CheckAssociatedRelayNumber;
  readonly consensusHook: "expect-parent-included" | "fixed-velocity";
  /** `MAXIMUM_BLOCK_WEIGHT` ref time, µs. */
  readonly maximumBlockWeightUs: number;
  /**
   * `NORMAL_DISPATCH_RATIO`: the share of `MAXIMUM_BLOCK_WEIGHT` normal-class extrinsics (the
   * load's transfers) may use (`BlockWeights::builder().for_class(Normal, max_total = ratio x
   * max)`); the rest is kept for operational extrinsics. SEMANTICS.md §7 C5.
   */
  readonly normalDispatchRatio: number;
  /** Benchmarked weight of one transfer: ref time (µs) and proof size (bytes). */
  readonly txRefTimeUs: number;
  readonly txProofBytes: number;
  readonly accounts: number;
}
