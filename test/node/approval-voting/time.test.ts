/**
 * Approval-voting time (time.rs): 500 ms ticks, a block's tick is its slot's start, tranches are
 * ticks after it, the no-show duration is `no_show_slots` slots of ticks.
 */
import { describe, expect, it } from "vitest";
import {
  APPROVAL_CHECKING_TIMEOUT_MS,
  APPROVAL_DELAY,
  MAX_APPROVAL_COALESCE_WAIT_TICKS,
  noShowDuration,
  slotNumberToTick,
  TICK_DURATION_MILLIS,
  tickFromMicros,
  tickStartMicros,
  ticksPerSlot,
  tickToSlotNumber,
  trancheNow,
  trancheToTick,
} from "../../../src/node/core/approval-voting/time.ts";

describe("approval-voting time", () => {
  it("the constants", () => {
    expect([TICK_DURATION_MILLIS, APPROVAL_DELAY, MAX_APPROVAL_COALESCE_WAIT_TICKS]).toEqual([
      500, 2, 12,
    ]);
    expect(APPROVAL_CHECKING_TIMEOUT_MS).toBe(120_000);
  });

  it("slots, ticks and tranches with 6 s slots", () => {
    expect(ticksPerSlot(6000)).toBe(12);
    expect(ticksPerSlot(2000)).toBe(4);
    expect(slotNumberToTick(6000, 10)).toBe(120);
    expect(tickToSlotNumber(6000, 131)).toBe(10);
    expect(tickToSlotNumber(6000, 132)).toBe(11);
    expect(trancheToTick(6000, 10, 5)).toBe(125);
    expect(trancheNow(125, 6000, 10)).toBe(5);
    // A block seen before its slot starts is at tranche 0 (saturating).
    expect(trancheNow(100, 6000, 10)).toBe(0);
  });

  it("the no-show duration: no_show_slots slots of ticks", () => {
    expect(noShowDuration(6000, 2)).toBe(24);
    expect(noShowDuration(6000, 3)).toBe(36);
  });

  it("virtual time in µs to ticks and back", () => {
    expect(tickFromMicros(0)).toBe(0);
    expect(tickFromMicros(499_999)).toBe(0);
    expect(tickFromMicros(1_500_000)).toBe(3);
    expect(tickStartMicros(3)).toBe(1_500_000);
    expect(() => tickFromMicros(-1)).toThrow(/non-negative/);
  });
});
