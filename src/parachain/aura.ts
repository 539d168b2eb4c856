/**
 * Aura slot arithmetic: a slot is `timestamp / slot_duration` (integer division, milliseconds).
 *
 * Invariants: slot durations are positive integers; inputs and results are safe integers (Rust
 * uses u64 with a saturating multiplication; realistic slots are far below 2^53).
 *
 * Ref: substrate/primitives/consensus/slots/src/lib.rs (`Slot::from_timestamp`,
 *      `Slot::timestamp`), cumulus/pallets/aura-ext/src/consensus_hook.rs (relay → para slot).
 */
import { assert } from "../lib/assert.ts";

function checkDuration(slotDurationMs: number): void {
  assert(
    Number.isSafeInteger(slotDurationMs) && slotDurationMs > 0,
    () => `slot duration must be a positive integer, got ${slotDurationMs}`,
  );
}

export const Slot = {
  /** `Slot::from_timestamp(timestamp, slot_duration)`. */
  fromTimestamp(timestampMs: number, slotDurationMs: number): number {
    checkDuration(slotDurationMs);
    assert(Number.isSafeInteger(timestampMs) && timestampMs >= 0, "timestamp must be >= 0");
    return Math.floor(timestampMs / slotDurationMs);
  },

  /** `Slot::timestamp(slot_duration)`: the slot's start. */
  timestamp(slot: number, slotDurationMs: number): number {
    checkDuration(slotDurationMs);
    const t = slot * slotDurationMs;
    assert(Number.isSafeInteger(t), "slot timestamp overflows a safe integer");
    return t;
  },

  /**
   * The para slot derived from a relay slot, as the consensus hook and the collators compute it:
   * `Slot::from_timestamp(relay_slot * relay_slot_duration, para_slot_duration)`.
   */
  fromRelaySlot(
    relaySlot: number,
    relaySlotDurationMs: number,
    paraSlotDurationMs: number,
  ): number {
    return Slot.fromTimestamp(Slot.timestamp(relaySlot, relaySlotDurationMs), paraSlotDurationMs);
  },
};
