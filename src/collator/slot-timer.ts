/**
 * The slot-based collator's slot timer: when to attempt the next block, how long the authoring of
 * a block may take, and which Aura slot a wake-up reports.
 *
 * Invariants:
 * - Pure: the wall-clock time is an input (`nowMs`), never read here.
 * - Ticks are multiples of the production interval after subtracting the slot offset; a time
 *   exactly on a tick waits a full interval. The interval is at least
 *   `BLOCK_PRODUCTION_MINIMUM_INTERVAL_MS` when subdivided for extra cores.
 * - Integer milliseconds throughout (Rust divides a `Duration` in nanoseconds and reads it with
 *   `as_millis()`, which floors to the same value).
 *
 * Two generations of the authoring-duration rule (SEMANTICS.md §7 C4):
 * - 2024 (`adjustAuthoringDuration`, SEMANTICS 3.6): at most the time to the next tick, and 500 ms
 *   less for the last block that fits into a relay slot;
 * - current (`adjustAuthoringDurationAtSlotChange`, PR #10154, polkadot-sdk stable2512:
 *   prdoc/stable2512/pr_10154.prdoc at 9da27ab057db; unchanged in stable2603): when the next Aura
 *   slot belongs to another author, authoring stops 1 s before that slot change, and a block whose
 *   remaining time is below 400 ms (500 ms - 100 ms threshold) is not built; with the same author
 *   next, only the time to the next tick bounds it.
 *
 * Ref: cumulus/client/consensus/aura/src/collators/slot_based/slot_timer.rs (both: the 2024 rule
 *      as SEMANTICS 3.6 pins it; the current one read in the index's post-#10154 version, whose
 *      unit tests `test_adjust_authoring_duration` the tests of this module repeat)
 */
import { assert } from "../lib/assert.ts";
import { Slot } from "../parachain/aura.ts";

/** Lower limit of the block production interval (12 cores at a 6 s relay slot). */
export const BLOCK_PRODUCTION_MINIMUM_INTERVAL_MS = 500;

/** How much the authoring of the last block of a relay slot is shortened (2024). */
export const BLOCK_PRODUCTION_ADJUSTMENT_MS = 500;

/** How long before an Aura slot change to another author authoring stops (current, #10154). */
export const SLOT_CHANGE_ADJUSTMENT_MS = 1000;

/** The tolerance below the minimum interval a shortened block may still have (current, #10154). */
export const BLOCK_PRODUCTION_THRESHOLD_MS = 100;

/** How far past the last reported slot a wake-up still reports the next one (`ls + 3`), slots. */
const SLOT_CATCH_UP_WINDOW_SLOTS = 3;

/**
 * `time_until_next_attempt(now, interval, offset)`: the wait until the next multiple of
 * `interval` strictly after `now - offset` (saturating at 0), and that tick's timestamp.
 */
export function timeUntilNextAttempt(
  nowMs: number,
  blockProductionIntervalMs: number,
  offsetMs: number,
): { readonly waitMs: number; readonly timestampMs: number } {
  assert(blockProductionIntervalMs > 0, "block production interval must be positive");
  const now = Math.max(nowMs - offsetMs, 0);
  const nextSlotTime =
    Math.floor((now + blockProductionIntervalMs) / blockProductionIntervalMs) *
    blockProductionIntervalMs;
  return { waitMs: nextSlotTime - now, timestampMs: nextSlotTime };
}

/**
 * `compute_next_wake_up_time(para_slot_duration, relay_slot_duration, core_count, now, offset)`:
 * the wait until the next block production attempt and the Aura slot of that attempt.
 *
 * At least one attempt per relay slot (the interval is `min(para slot, relay slot)`); when more
 * cores are assigned than para slots fit into a relay slot, and the para slot is not shorter than
 * the relay slot, the relay slot is divided among the cores (floor 500 ms). `coreCount` null
 * (nothing reported yet) counts as 1.
 */
export function computeNextWakeUpTime(
  paraSlotDurationMs: number,
  relaySlotDurationMs: number,
  coreCount: number | null,
  nowMs: number,
  offsetMs: number,
): { readonly waitMs: number; readonly slot: number } {
  assert(paraSlotDurationMs > 0 && relaySlotDurationMs > 0, "slot durations must be positive");
  const paraSlotsPerRelayBlock = Math.floor(relaySlotDurationMs / paraSlotDurationMs);
  const assignedCoreNum = coreCount ?? 1;
  let interval = Math.min(paraSlotDurationMs, relaySlotDurationMs);
  if (assignedCoreNum > paraSlotsPerRelayBlock && paraSlotDurationMs >= relaySlotDurationMs) {
    interval = Math.max(
      Math.floor(relaySlotDurationMs / assignedCoreNum),
      BLOCK_PRODUCTION_MINIMUM_INTERVAL_MS,
    );
  }
  const { waitMs, timestampMs } = timeUntilNextAttempt(nowMs, interval, offsetMs);
  return { waitMs, slot: Slot.fromTimestamp(timestampMs, paraSlotDurationMs) };
}

/** `LastReportedSlot`: the last slot a wake-up reported and how many blocks were built in it. */
export interface LastReportedSlot {
  readonly slot: number | null;
  readonly blocksProduced: number;
}

export const LastReportedSlot = {
  default(): LastReportedSlot {
    return { slot: null, blocksProduced: 0 };
  },

  /** `set_new_slot`: resets the count when the slot changes. */
  setNewSlot(self: LastReportedSlot, slot: number): LastReportedSlot {
    return self.slot === slot ? self : { slot, blocksProduced: 0 };
  },
};

/**
 * The decision of `wait_until_next_slot`: if a slot was reported and the next slot is 2 or 3
 * ahead of it, report the slot right after the last one immediately (do not skip a slot, but do
 * not replay many after a halt); otherwise sleep `waitMs` and report `nextAuraSlot`.
 */
export function waitUntilNextSlot(
  last: LastReportedSlot,
  nextAuraSlot: number,
  waitMs: number,
): {
  readonly sleepMs: number;
  readonly slot: number;
  readonly lastReportedSlot: LastReportedSlot;
} {
  let slot = nextAuraSlot;
  let sleepMs = waitMs;
  if (
    last.slot !== null &&
    last.slot + 1 < nextAuraSlot &&
    nextAuraSlot <= last.slot + SLOT_CATCH_UP_WINDOW_SLOTS
  ) {
    slot = last.slot + 1;
    sleepMs = 0;
  }
  return { sleepMs, slot, lastReportedSlot: LastReportedSlot.setNewSlot(last, slot) };
}

/**
 * `adjust_authoring_duration`: at most the time until the next attempt (`untilNextSlotMs`, from
 * `computeNextWakeUpTime`), and for the last block that fits into a relay slot 500 ms less (floor
 * 500 ms) so it can propagate in time. Counts the block in the last reported slot.
 */
export function adjustAuthoringDuration(
  last: LastReportedSlot,
  authoringDurationMs: number,
  relaySlotDurationMs: number,
  untilNextSlotMs: number,
): { readonly authoringDurationMs: number; readonly lastReportedSlot: LastReportedSlot } {
  assert(authoringDurationMs > 0, "authoring duration must be positive");
  const blocksProducedPerRelaySlot = Math.floor(relaySlotDurationMs / authoringDurationMs);
  const blocksProducedSoFar = last.blocksProduced + 1;
  let duration = Math.min(authoringDurationMs, untilNextSlotMs);
  if (blocksProducedSoFar >= blocksProducedPerRelaySlot) {
    duration = Math.max(
      Math.max(duration - BLOCK_PRODUCTION_ADJUSTMENT_MS, 0),
      BLOCK_PRODUCTION_MINIMUM_INTERVAL_MS,
    );
  }
  return {
    authoringDurationMs: duration,
    lastReportedSlot: { ...last, blocksProduced: blocksProducedSoFar },
  };
}

/**
 * `compute_time_until_next_slot_change` (current): the time from `now - offset` to the start of
 * the Aura slot after `lastReportedSlot` (saturating at 0), and that slot.
 */
export function timeUntilNextSlotChange(
  paraSlotDurationMs: number,
  nowMs: number,
  offsetMs: number,
  lastReportedSlot: number,
): { readonly untilMs: number; readonly slot: number } {
  const now = Math.max(nowMs - offsetMs, 0);
  const slot = lastReportedSlot + 1;
  return { untilMs: Math.max(slot * paraSlotDurationMs - now, 0), slot };
}

/**
 * `check_different_slot_authors`: whether two Aura slots have different authors under the round
 * robin over `authorities` (one authority or none: the same author).
 */
export function differentSlotAuthors(slot: number, nextSlot: number, authorities: number): boolean {
  if (authorities <= 1) return false;
  return slot % authorities !== nextSlot % authorities;
}

/**
 * `adjust_authoring_duration` of the current generation (#10154): `nextBlockMs` is the time to
 * the next tick, `untilSlotChangeMs` the time to the next Aura slot. Null: build no block now.
 */
export function adjustAuthoringDurationAtSlotChange(
  authoringDurationMs: number,
  nextBlockMs: number,
  untilSlotChangeMs: number,
  differentAuthors: boolean,
): number | null {
  const untilDeadline = Math.max(untilSlotChangeMs - SLOT_CHANGE_ADJUSTMENT_MS, 0);
  // No block in the last second of the slot when the next author is someone else.
  if (untilDeadline === 0) {
    return differentAuthors ? null : Math.min(authoringDurationMs, nextBlockMs);
  }
  let duration = authoringDurationMs;
  if (differentAuthors && duration >= untilDeadline) {
    duration = untilDeadline;
    if (duration < BLOCK_PRODUCTION_MINIMUM_INTERVAL_MS - BLOCK_PRODUCTION_THRESHOLD_MS)
      return null;
  }
  return Math.min(duration, nextBlockMs);
}
