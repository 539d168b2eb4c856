import { describe, expect, it } from "vitest";
import {
  availabilityThreshold,
  bitfieldsIndicateAvailability,
  byzantineThreshold,
  effectiveMinimumBackingVotes,
  supermajorityThreshold,
} from "../../src/primitives/thresholds.ts";

describe("thresholds", () => {
  // polkadot/primitives/src/v8/mod.rs::test_byzantine_threshold / test_supermajority_threshold
  it.each([
    [0, 0, 0],
    [1, 0, 1],
    [2, 0, 2],
    [3, 0, 3],
    [4, 1, 3],
    [5, 1, 4],
    [6, 1, 5],
    [7, 2, 5],
    [9, 2, 7],
    [10, 3, 7],
    [100, 33, 67],
    [300, 99, 201],
  ])("n = %i: byzantine %i, supermajority %i", (n, byz, sup) => {
    expect(byzantineThreshold(n)).toBe(byz);
    expect(supermajorityThreshold(n)).toBe(sup);
    expect(availabilityThreshold(n)).toBe(sup);
  });

  // inclusion/tests.rs::availability_threshold_is_supermajority
  it("availability_threshold_is_supermajority", () => {
    expect(availabilityThreshold(4)).toBe(3);
    expect(availabilityThreshold(6)).toBe(5);
    expect(availabilityThreshold(9)).toBe(7);
  });

  it("is strictly more than two thirds of all validators", () => {
    for (let n = 1; n <= 1000; n++) {
      const t = availabilityThreshold(n);
      expect(3 * t).toBeGreaterThan(2 * n);
      expect(3 * (t - 1)).toBeLessThanOrEqual(2 * n);
    }
  });

  // polkadot/primitives::effective_minimum_backing_votes
  it.each([
    [5, 2, 2],
    [1, 2, 1],
    [3, 5, 3],
    [0, 2, 0],
  ])("effective minimum backing votes of group %i configured %i is %i", (g, c, e) => {
    expect(effectiveMinimumBackingVotes(g, c)).toBe(e);
  });

  it("the provisioner's 3k >= 2n rule differs from the runtime's for n = 3 and n = 6", () => {
    expect(bitfieldsIndicateAvailability(2, 3)).toBe(true);
    expect(2 >= availabilityThreshold(3)).toBe(false);
    expect(bitfieldsIndicateAvailability(4, 6)).toBe(true);
    expect(4 >= availabilityThreshold(6)).toBe(false);
    expect(bitfieldsIndicateAvailability(3, 6)).toBe(false);
  });
});
