import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  adjustAuthoringDuration,
  adjustAuthoringDurationAtSlotChange,
  computeNextWakeUpTime,
  differentSlotAuthors,
  LastReportedSlot,
  timeUntilNextAttempt,
  timeUntilNextSlotChange,
  waitUntilNextSlot,
} from "../../src/collator/slot-timer.ts";

const RELAY_CHAIN_SLOT_DURATION = 6000;

describe("slot_timer.rs", () => {
  // test_get_next_slot: (para slot ms, core count, now, offset, expected wait)
  const cases: [number, number | null, number, number, number][] = [
    // different now timestamps
    [6000, 1, 1000, 0, 5000],
    [6000, 1, 0, 0, 6000],
    [6000, 1, 6000, 0, 6000],
    [6000, 0, 6000, 0, 6000],
    // `None` core defaults to 1
    [6000, null, 1000, 0, 5000],
    [6000, null, 0, 0, 6000],
    [6000, null, 6000, 0, 6000],
    // the offset shifts the current time
    [6000, 1, 1000, 1000, 6000],
    [6000, 1, 12000, 2000, 2000],
    [6000, 1, 12000, 6000, 6000],
    [6000, 1, 12000, 7000, 1000],
    // the number of cores subdivides the interval
    [6000, 3, 12000, 0, 2000],
    [6000, 2, 12000, 0, 3000],
    [6000, 3, 11999, 0, 1],
    // high core counts respect the 500 ms minimum
    [6000, 12, 0, 0, 500],
    [6000, 100, 0, 0, 500],
    // shorter para slots
    [2000, 1, 1000, 0, 1000],
    [2000, 1, 3000, 0, 1000],
    [2000, 1, 10000, 0, 2000],
    [2000, 2, 1000, 0, 1000],
    // cores are ignored if the relay slot duration differs from the para slot duration
    [2000, 3, 3000, 0, 1000],
    // long para slots still tick every relay block
    [12000, null, 0, 0, 6000],
    [12000, null, 6100, 0, 5900],
    [12000, null, 6000, 2000, 2000],
    [12000, 2, 6000, 0, 3000],
    [12000, 3, 6000, 0, 2000],
    [12000, 3, 8100, 0, 1900],
  ];
  it.each(cases)("test_get_next_slot(%i, %s, %i, %i) = %i", (para, cores, now, offset, wait) => {
    expect(computeNextWakeUpTime(para, RELAY_CHAIN_SLOT_DURATION, cores, now, offset).waitMs).toBe(
      wait,
    );
  });

  it("an offset larger than now saturates at time 0", () => {
    expect(timeUntilNextAttempt(1000, 6000, 5000)).toEqual({ waitMs: 6000, timestampMs: 6000 });
  });

  it("reports the Aura slot of the tick", () => {
    expect(computeNextWakeUpTime(6000, 6000, 1, 13000, 1000).slot).toBe(3); // tick at 18000
    expect(computeNextWakeUpTime(2000, 6000, 1, 13000, 0).slot).toBe(7); // tick at 14000
  });

  it("the wait ends exactly on the next tick, within one interval", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2000, 3000, 6000, 12000, 24000),
        fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (para, cores, now, offset) => {
          const { waitMs } = computeNextWakeUpTime(para, 6000, cores, now, offset);
          const t = Math.max(now - offset, 0);
          const c = cores ?? 1;
          const interval =
            c > Math.floor(6000 / para) && para >= 6000
              ? Math.max(Math.floor(6000 / c), 500)
              : Math.min(para, 6000);
          expect(waitMs).toBeGreaterThan(0);
          expect(waitMs).toBeLessThanOrEqual(interval);
          expect((t + waitMs) % interval).toBe(0);
          return true;
        },
      ),
    );
  });
});

describe("SlotTimer bookkeeping", () => {
  it("adjust_authoring_duration: capped by the next tick; the last block of a relay slot loses 500 ms", () => {
    let last = LastReportedSlot.setNewSlot(LastReportedSlot.default(), 10);
    // authoring 2000 ms => 3 blocks per relay slot
    let r = adjustAuthoringDuration(last, 2000, 6000, 1500);
    expect(r.authoringDurationMs).toBe(1500);
    last = r.lastReportedSlot;
    r = adjustAuthoringDuration(last, 2000, 6000, 6000);
    expect(r.authoringDurationMs).toBe(2000);
    last = r.lastReportedSlot;
    r = adjustAuthoringDuration(last, 2000, 6000, 6000);
    expect(r.authoringDurationMs).toBe(1500); // third block: 2000 - 500
    expect(r.lastReportedSlot.blocksProduced).toBe(3);
    // floor of 500 ms
    expect(adjustAuthoringDuration(r.lastReportedSlot, 2000, 6000, 700).authoringDurationMs).toBe(
      500,
    );
  });

  it("set_new_slot resets the count only on a new slot", () => {
    const a = { slot: 4, blocksProduced: 2 };
    expect(LastReportedSlot.setNewSlot(a, 4)).toBe(a);
    expect(LastReportedSlot.setNewSlot(a, 5)).toEqual({ slot: 5, blocksProduced: 0 });
  });

  it("wait_until_next_slot does not skip a slot, but does not replay many", () => {
    const last = { slot: 10, blocksProduced: 1 };
    expect(waitUntilNextSlot(last, 11, 900)).toMatchObject({ sleepMs: 900, slot: 11 });
    expect(waitUntilNextSlot(last, 12, 900)).toMatchObject({ sleepMs: 0, slot: 11 });
    expect(waitUntilNextSlot(last, 13, 900)).toMatchObject({ sleepMs: 0, slot: 11 });
    expect(waitUntilNextSlot(last, 14, 900)).toMatchObject({ sleepMs: 900, slot: 14 });
    expect(waitUntilNextSlot(LastReportedSlot.default(), 14, 900).lastReportedSlot).toEqual({
      slot: 14,
      blocksProduced: 0,
    });
  });
});

describe("slot timer, current generation (#10154): stop 1 s before an Aura slot change", () => {
  // polkadot-sdk's `test_adjust_authoring_duration` cases: (authoring, next block, next slot
  // change, different authors) -> duration or none.
  const cases: [number, number, number, boolean, number | null][] = [
    [2000, 2000, 4000, true, 2000],
    [2000, 1950, 4000, true, 1950],
    [2000, 2000, 2000, true, 1000], // 3 cores, 2 s blocks: the last block gets 1 s
    [2000, 1950, 1950, true, 950],
    [2000, 1400, 1400, true, 400],
    [2000, 1300, 1300, true, null], // 300 ms left: below 500 - 100 ms
    [2000, 1400, 1400, false, 1400], // the same author next: no cut
    [500, 500, 2000, true, 500],
    [500, 450, 2000, true, 450],
    [500, 400, 1500, true, 400],
    [500, 500, 1000, true, null], // 12 cores, 500 ms: the last two ticks build nothing
    [500, 500, 500, true, null],
    [500, 410, 1000, false, 410],
    [500, 400, 400, false, 400],
  ];
  it.each(cases)(
    "authoring %i, next block %i, slot change %i, different %s -> %s",
    (a, nb, sc, d, want) => {
      expect(adjustAuthoringDurationAtSlotChange(a, nb, sc, d)).toBe(want);
    },
  );

  it("measures the slot change on the offset clock from the last reported slot", () => {
    // Para slot 6 s, offset 1 s, at 16.5 s: the offset clock reads 15.5 s; slot 2 ends at 18 s.
    expect(timeUntilNextSlotChange(6000, 16_500, 1000, 2)).toEqual({ untilMs: 2500, slot: 3 });
    expect(timeUntilNextSlotChange(6000, 30_000, 1000, 2)).toEqual({ untilMs: 0, slot: 3 });
  });

  it("tells authors apart by Aura's round robin", () => {
    expect(differentSlotAuthors(4, 5, 2)).toBe(true);
    expect(differentSlotAuthors(4, 6, 2)).toBe(false);
    expect(differentSlotAuthors(4, 5, 1)).toBe(false);
    expect(differentSlotAuthors(4, 5, 0)).toBe(false);
  });
});
