import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuntimePanic } from "../../src/lib/assert.ts";
import {
  bumpRotation,
  coreForGroup,
  type GroupRotationInfo,
  groupForCore,
  lastRotationAt,
  nextRotationAt,
} from "../../src/primitives/group-rotation.ts";

const info = (
  sessionStartBlock: number,
  groupRotationFrequency: number,
  now: number,
): GroupRotationInfo => ({
  sessionStartBlock,
  groupRotationFrequency,
  now,
});

describe("GroupRotationInfo", () => {
  it.each([
    // start, freq, now, core, cores, group
    [0, 10, 0, 0, 5, 0],
    [0, 10, 9, 0, 5, 0],
    [0, 10, 10, 0, 5, 1],
    [0, 10, 10, 4, 5, 0],
    [1, 10, 11, 0, 5, 1],
    [1, 10, 10, 0, 5, 0],
    [5, 3, 2, 1, 4, 1], // now before the session start saturates to 0 rotations
    [0, 0, 100, 3, 5, 3], // frequency 0: identity
    [0, 10, 100, 3, 0, 0], // no cores: 0
    [0, 1, 7, 2, 3, 0],
  ])(
    "group_for_core(start %i, freq %i, now %i, core %i, cores %i) = %i",
    (s, f, n, core, cores, g) => {
      expect(groupForCore(info(s, f, n), core, cores)).toBe(g);
    },
  );

  it.each([
    [0, 10, 10, 1, 5, 0],
    [0, 10, 10, 0, 5, 4],
    [0, 0, 100, 3, 5, 3],
    [0, 10, 100, 3, 0, 0],
    [0, 1, 7, 0, 3, 2],
  ])(
    "core_for_group(start %i, freq %i, now %i, group %i, cores %i) = %i",
    (s, f, n, group, cores, c) => {
      expect(coreForGroup(info(s, f, n), group, cores)).toBe(c);
    },
  );

  it("core_for_group inverts group_for_core", () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.integer({ min: 1, max: 50 }),
        fc.nat(5000),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(39),
        (start, freq, now, cores, c) => {
          const core = c % cores;
          const i = info(start, freq, now);
          expect(coreForGroup(i, groupForCore(i, core, cores), cores)).toBe(core);
        },
      ),
    );
  });

  // "If the current block is 10 and the rotation frequency is 5, this should return 15 / 10."
  it.each([
    [0, 5, 10, 15, 10],
    [0, 5, 11, 15, 10],
    [1, 10, 1, 11, 1],
    [1, 10, 10, 11, 1],
    [1, 10, 11, 21, 11],
    [3, 4, 2, 3, 2], // before the session start: the subtraction saturates
  ])("start %i freq %i now %i: next %i, last %i", (s, f, n, next, last) => {
    expect(nextRotationAt(info(s, f, n))).toBe(next);
    expect(lastRotationAt(info(s, f, n))).toBe(last);
  });

  it("bump_rotation moves to the next rotation", () => {
    expect(bumpRotation(info(1, 10, 4))).toEqual(info(1, 10, 11));
  });

  it("next/last rotation panic on a zero frequency, as Rust's remainder does", () => {
    expect(() => nextRotationAt(info(0, 0, 5))).toThrow(RuntimePanic);
    expect(() => lastRotationAt(info(0, 0, 5))).toThrow(RuntimePanic);
  });
});
