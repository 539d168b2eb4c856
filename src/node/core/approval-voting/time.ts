/**
 * Approval-voting time: ticks of 500 ms counted from the Unix epoch (here: from the simulation's
 * time zero), a relay block's tick (the START of its slot, not its import), the tranche now, the
 * no-show duration, and the subsystem's timing constants.
 *
 * A tick is a plain non-negative integer; a delay tranche is one tick (tranche `t` of a block
 * starts at `blockTick + t`). Every conversion is Rust's integer arithmetic: `ticks_per_slot` is
 * `slot_duration_millis / 500` rounded down (Polkadot's 6 s slots give 12), `tranche_now`
 * saturates at 0 (a block seen before its slot started is at tranche 0).
 *
 * Simplified: there is no `Clock` trait and no wall clock. Time is passed in as ticks; the caller
 * converts its virtual time with `tickFromMicros` (SystemClock's `tick_now`, rounding down) and
 * waits for a tick's onset with `tickStartMicros` (`tick_to_time`). `DelayedApprovalTimer` (one
 * timer per block) belongs to the integration.
 *
 * Ref: polkadot/node/primitives/src/approval/time.rs (TICK_DURATION_MILLIS, TICK_TOO_FAR_IN_FUTURE,
 *      ClockExt::tranche_now, slot_number_to_tick, tick_to_slot_number, tranche_to_tick);
 *      polkadot/node/core/approval-voting/src/lib.rs (APPROVAL_CHECKING_TIMEOUT, APPROVAL_DELAY,
 *      MAX_APPROVAL_COALESCE_WAIT_TICKS; `no_show_duration = slot_number_to_tick(slot_ms,
 *      no_show_slots)` in approval_status / process_wakeup).
 */
import { assert } from "../../../lib/assert.ts";

/** `Tick`: a 500 ms unit of time. */
export type Tick = number;
/** `DelayTranche` (u32): tranches are one tick wide, counted from the block's slot start. */
export type DelayTranche = number;

/** `DelayTranche::max_value()`: the `maximum_broadcast` of a depth-0 `Pending`. */
export const DELAY_TRANCHE_MAX: DelayTranche = 0xffff_ffff;

/** `TICK_DURATION_MILLIS`. */
export const TICK_DURATION_MILLIS = 500;
/** `TICK_TOO_FAR_IN_FUTURE` (10 s): how far ahead a tick is accepted. */
export const TICK_TOO_FAR_IN_FUTURE: Tick = 20;
/** `APPROVAL_DELAY`: counted assignments must be this many ticks old before `Approved` holds. */
export const APPROVAL_DELAY: Tick = 2;
/** `MAX_APPROVAL_COALESCE_WAIT_TICKS`: the longest a checked candidate waits to be signed. */
export const MAX_APPROVAL_COALESCE_WAIT_TICKS: Tick = 12;
/** `APPROVAL_CHECKING_TIMEOUT` (120 s): recovery + validation of one approval check. */
export const APPROVAL_CHECKING_TIMEOUT_MS = 120_000;

const TICK_DURATION_MICROS = TICK_DURATION_MILLIS * 1000;

function assertTickCount(value: number, what: string): void {
  assert(
    Number.isSafeInteger(value) && value >= 0,
    () => `${what} must be a non-negative integer, got ${value}`,
  );
}

/** `slot_duration_millis / TICK_DURATION_MILLIS` (Rust assumes it divides evenly). */
export function ticksPerSlot(slotDurationMillis: number): number {
  assertTickCount(slotDurationMillis, "slotDurationMillis");
  return Math.floor(slotDurationMillis / TICK_DURATION_MILLIS);
}

/** `slot_number_to_tick`: the tick at which `slot` starts (a relay block's `block_tick`). */
export function slotNumberToTick(slotDurationMillis: number, slot: number): Tick {
  assertTickCount(slot, "slot");
  return slot * ticksPerSlot(slotDurationMillis);
}

/** `tick_to_slot_number`. */
export function tickToSlotNumber(slotDurationMillis: number, tick: Tick): number {
  assertTickCount(tick, "tick");
  return Math.floor(tick / ticksPerSlot(slotDurationMillis));
}

/** `tranche_to_tick`: the tick at which tranche `tranche` of a block in `slot` starts. */
export function trancheToTick(
  slotDurationMillis: number,
  slot: number,
  tranche: DelayTranche,
): Tick {
  return slotNumberToTick(slotDurationMillis, slot) + tranche;
}

/** `ClockExt::tranche_now`: `tick_now - block_tick`, saturating at 0. */
export function trancheNow(
  tickNow: Tick,
  slotDurationMillis: number,
  baseSlot: number,
): DelayTranche {
  return Math.max(0, tickNow - slotNumberToTick(slotDurationMillis, baseSlot));
}

/**
 * The no-show duration in ticks, `slot_number_to_tick(slot_duration_millis, no_show_slots)`:
 * 24 ticks (12 s) for `no_show_slots = 2` and 6 s slots.
 */
export function noShowDuration(slotDurationMillis: number, noShowSlots: number): Tick {
  return slotNumberToTick(slotDurationMillis, noShowSlots);
}

/** `SystemClock::tick_now` for a virtual time in µs: `ms / 500`, rounded down. */
export function tickFromMicros(micros: number): Tick {
  assertTickCount(micros, "micros");
  return Math.floor(micros / TICK_DURATION_MICROS);
}

/** `tick_to_time`: the onset of `tick` in µs (what `Clock::wait(tick)` waits for). */
export function tickStartMicros(tick: Tick): number {
  assertTickCount(tick, "tick");
  return tick * TICK_DURATION_MICROS;
}
