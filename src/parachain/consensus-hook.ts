/**
 * aura-ext's `FixedVelocityConsensusHook<T, RELAY_CHAIN_SLOT_DURATION_MILLIS, V, C>`, newest
 * (relay-slot based, `RelaySlotInfo`) generation: at most `max(V, 1) + 1` parachain blocks per
 * relay-chain slot, the para slot must equal the slot derived from the relay slot, and the
 * unincluded segment capacity is `max(C, 1)`. Also the `can_build_upon` runtime API.
 *
 * Invariants:
 * - Pure: the stored `RelaySlotInfo` and `pallet_aura::CurrentSlot` are inputs, the new
 *   `RelaySlotInfo` is an output. A panic leaves nothing changed (the block is discarded).
 * - Panic order as in Rust: slot moved backwards, authored limit, para slot mismatch.
 * - `can_build_upon` compares the segment size with `C` itself (not `max(C, 1)`), as Rust does.
 *
 * Ref: cumulus/pallets/aura-ext/src/consensus_hook.rs, cumulus/pallets/aura-ext/src/test.rs
 */
import { panic } from "../lib/assert.ts";
import type { Hash } from "../lib/hex.ts";
import { Slot } from "./aura.ts";
import { UnincludedSegmentCapacity } from "./parachain-system.ts";
import { sizeAfterIncluded } from "./unincluded-segment.ts";

/** The hook's const generics and the runtime's Aura slot duration. */
export interface FixedVelocityConsensusHookConfig {
  /** `RELAY_CHAIN_SLOT_DURATION_MILLIS`. */
  readonly relayChainSlotDurationMillis: number;
  /** `Aura::<T>::slot_duration()` (the parachain slot duration). */
  readonly paraSlotDurationMs: number;
  /** `V`. */
  readonly velocity: number;
  /** `C`. */
  readonly capacity: number;
}

/** Storage `pallet_aura_ext::RelaySlotInfo`: `(relay slot, blocks authored in it)`. */
export type RelaySlotInfo = readonly [slot: number, authored: number];

export interface OnStateProofResult {
  readonly capacity: UnincludedSegmentCapacity;
  /** The new `RelaySlotInfo` to store. */
  readonly relaySlotInfo: RelaySlotInfo;
}

export const FixedVelocityConsensusHook = {
  /**
   * `on_state_proof`: `relayChainSlot` is the relay chain's current slot read from the proof,
   * `paraSlot` is `pallet_aura::CurrentSlot` of the block being executed.
   */
  onStateProof(
    config: FixedVelocityConsensusHookConfig,
    relaySlotInfo: RelaySlotInfo | null,
    paraSlot: number,
    relayChainSlot: number,
  ): OnStateProofResult {
    const velocity = Math.max(config.velocity, 1);
    let authoredInRelay: number;
    if (relaySlotInfo === null) {
      authoredInRelay = 0;
    } else {
      const [slot, authored] = relaySlotInfo;
      if (slot === relayChainSlot) authoredInRelay = authored;
      else if (slot < relayChainSlot) authoredInRelay = 0;
      else
        panic(
          `Slot moved backwards: stored_slot=Slot(${slot}), relay_chain_slot=Slot(${relayChainSlot})`,
        );
    }
    // One block more than the velocity is allowed, to fill the unincluded segment.
    if (authoredInRelay > velocity) {
      panic(
        `authored blocks limit is reached for the slot: relay_chain_slot=Slot(${relayChainSlot}), authored=${authoredInRelay}, velocity=${velocity}`,
      );
    }
    const paraSlotFromRelay = Slot.fromRelaySlot(
      relayChainSlot,
      config.relayChainSlotDurationMillis,
      config.paraSlotDurationMs,
    );
    if (paraSlot !== paraSlotFromRelay) {
      panic(
        `Parachain slot must match relay-derived slot: parachain_slot=Slot(${paraSlot}), derived_from_relay_slot=Slot(${paraSlotFromRelay}) velocity=${velocity}`,
      );
    }
    return {
      capacity: UnincludedSegmentCapacity.value(Math.max(config.capacity, 1)),
      relaySlotInfo: [relayChainSlot, authoredInRelay + 1],
    };
  },

  /**
   * `can_build_upon(included_hash, new_slot)`: whether a block may extend the chain whose runtime
   * state holds `relaySlotInfo` and `unincludedSegment`, given the included block and the relay
   * slot to build in.
   */
  canBuildUpon(
    config: FixedVelocityConsensusHookConfig,
    relaySlotInfo: RelaySlotInfo | null,
    unincludedSegment: readonly { readonly paraHeadHash: Hash | null }[],
    includedHash: Hash,
    newSlot: number,
  ): boolean {
    const velocity = Math.max(config.velocity, 1);
    if (relaySlotInfo === null) return true;
    const [lastSlot, authoredSoFar] = relaySlotInfo;
    // Never author when the unincluded segment is full.
    if (sizeAfterIncluded(includedHash, unincludedSegment) >= config.capacity) return false;
    if (lastSlot === newSlot) return authoredSoFar < velocity + 1;
    // The slot must not move backwards.
    return lastSlot < newSlot;
  },
};
