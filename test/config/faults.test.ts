import { describe, expect, it } from "vitest";
import {
  type Adversary,
  appliedFaults,
  budgetErrors,
  type Fault,
  type FaultContext,
  faultActive,
  faultBudget,
  faultTargetErrors,
  parseAdversaries,
  parseFaults,
  smallestGroupThreshold,
} from "../../src/config/faults.ts";

const ctx: FaultContext = {
  validators: 12,
  slots: 65,
  paras: new Map([[2000, 2]]),
  numCores: 1,
  maxValidatorsPerCore: 5,
  minimumBackingVotes: 2,
};

const parsed = (input: unknown) => {
  const errors: string[] = [];
  const faults = parseFaults(input, errors);
  return { faults, errors };
};

describe("fault entries", () => {
  it("fills the defaults and keeps what was given", () => {
    const { faults, errors } = parsed([
      { at: 20, for: 10, kind: "crash", validators: [3, 4] },
      { at: 15, for: 10, kind: "link", from: "all", to: [2], delayMs: 500 },
      { at: 40, kind: "session-change" },
    ]);
    expect(errors).toEqual([]);
    expect(faults).toEqual([
      { at: 20, for: 10, kind: "crash", validators: [3, 4], loseStore: false },
      { at: 15, for: 10, kind: "link", from: "all", to: [2], loss: 0, delayMs: 500 },
      { at: 40, for: 0, kind: "session-change" },
    ]);
  });

  it("says which key of which entry is wrong", () => {
    const { errors } = parsed([
      { at: 0, for: 1, kind: "slow", validators: [1], speed: 2 },
      { at: 1, for: 1, kind: "link", from: "some", to: [1] },
      { at: 1, for: 1, kind: "partition", sides: [[1]], extra: 1 },
      "crash",
    ]);
    expect(errors).toEqual([
      "faults[0].at: expected an integer from 1 to 1000000, got 0",
      'faults[1].from: expected a list of at least 1, got "some"',
      "faults[2].sides: expected a list of at least 2, got a list",
      "faults[2].extra: unknown key (expected one of kind, at, for, sides)",
      'faults[3]: expected an object with a kind, got "crash"',
    ]);
  });

  it("gives rate 1 to adversaries that take one and refuses it elsewhere", () => {
    const errors: string[] = [];
    expect(
      parseAdversaries(
        [
          { kind: "invalid-pov", para: 2000, collators: [1] },
          { kind: "no-show", validators: [8] },
        ],
        errors,
      ),
    ).toEqual([
      { kind: "invalid-pov", para: 2000, collators: [1], rate: 1 },
      { kind: "no-show", validators: [8] },
    ]);
    parseAdversaries([{ kind: "no-show", validators: [8], rate: 0.5 }], errors);
    expect(errors).toEqual([
      "adversaries[0].rate: unknown key (expected one of kind, at, for, validators)",
    ]);
  });

  it("refuses targets that do not exist, overlapping sides and a fault past the run", () => {
    const faults: Fault[] = [
      { at: 60, for: 10, kind: "crash", validators: [12], loseStore: false },
      {
        at: 1,
        for: 1,
        kind: "partition",
        sides: [
          [0, 1],
          [1, 2, 3],
        ],
      },
      { at: 1, for: 1, kind: "collator-offline", para: 2001, collators: [0] },
      { at: 1, for: 1, kind: "collator-offline", para: 2000, collators: [2] },
    ];
    expect(faultTargetErrors(faults, [], ctx)).toEqual([
      "faults[0].for: runs past the run (slots 60..69, the run ends at 65), got 10",
      "faults[0].validators[0]: expected a validator index below 12, got 12",
      "faults[1].sides: expected sides that do not overlap, got a validator in two",
      "faults[2].para: expected one of the scenario's paras (2000), got 2001",
      "faults[3].collators[0]: expected a collator index below 2 (para 2000 has 2), got 2",
    ]);
  });
});

describe("the budget", () => {
  it("is floor((n - 1) / 3), counted per slot over crashed, partitioned-away, slow and adversarial validators", () => {
    expect([1, 3, 4, 10, 12, 600].map(faultBudget)).toEqual([0, 0, 1, 3, 3, 199]);
    const crash: Fault = { at: 10, for: 5, kind: "crash", validators: [0, 1], loseStore: false };
    const slow: Fault = { at: 14, for: 5, kind: "slow", validators: [2], speed: 2 };
    const noShow: Adversary = { kind: "no-show", validators: [3], at: 30 };
    // 3 at slot 14 (0, 1, 2): within; the no-show starts after the crash ended.
    expect(budgetErrors([crash, slow], [noShow], ctx)).toEqual([]);
    // A no-show from the start makes 4 at slot 14.
    const early: Adversary = { kind: "no-show", validators: [3] };
    expect(budgetErrors([crash, slow], [early], ctx)[0]).toMatch(
      /^faults\/adversaries: at relay slot 14, 4 validators .* \(0, 1, 2, 3\); the budget is f = floor\(\(n - 1\) \/ 3\) = 3 of 12/,
    );
    // The same validator twice counts once; link faults and late bitfields do not count.
    const again: Fault = { at: 10, for: 5, kind: "slow", validators: [0], speed: 2 };
    const link: Fault = {
      at: 10,
      for: 5,
      kind: "link",
      from: "all",
      to: [5, 6, 7],
      loss: 1,
      delayMs: 0,
    };
    expect(budgetErrors([crash, again, link], [], ctx)).toEqual([]);
  });

  it("counts a partition's smaller side", () => {
    const p = (sides: number[][]): Fault => ({ at: 1, for: 2, kind: "partition", sides });
    expect(
      budgetErrors(
        [
          p([
            [0, 1, 2, 3, 4, 5, 6, 7, 8],
            [9, 10, 11],
          ]),
        ],
        [],
        ctx,
      ),
    ).toEqual([]);
    expect(
      budgetErrors(
        [
          p([
            [0, 1, 2, 3, 4, 5, 6, 7],
            [8, 9, 10, 11],
          ]),
        ],
        [],
        ctx,
      ),
    ).toHaveLength(1);
  });

  it("keeps dishonest backers below the smallest group's backing threshold", () => {
    expect(smallestGroupThreshold(ctx)).toBe(2);
    expect(smallestGroupThreshold({ ...ctx, numCores: 12, maxValidatorsPerCore: 1 })).toBe(1);
    const one: Adversary = { kind: "seconds-invalid", validators: [2] };
    const two: Adversary = { kind: "double-votes", validators: [3] };
    expect(budgetErrors([], [one], ctx)).toEqual([]);
    expect(budgetErrors([], [one, two], ctx)[0]).toMatch(/2 dishonest backers .* threshold 2/);
    // A backer that withholds the data it backed is one too.
    const withholder: Adversary = { kind: "withholds-chunks", validators: [4] };
    expect(budgetErrors([], [one, withholder], ctx)[0]).toMatch(/2 dishonest backers/);
    const forger: Adversary = { kind: "forges-bitfields", validators: [4] };
    expect(budgetErrors([], [one, forger], ctx)).toEqual([]);
    expect(budgetErrors([], [one], { ...ctx, numCores: 12, maxValidatorsPerCore: 1 })[0]).toMatch(
      /1 dishonest backers .* threshold 1/,
    );
  });
});

describe("the fault plan", () => {
  const plan = {
    seed: 7,
    perRelayBlock: 0.3,
    kinds: ["crash", "partition", "link", "slow", "collator-offline", "late-bitfields"] as const,
  };

  it("draws the same faults from the same seed, and others from another", () => {
    const a = appliedFaults([], plan, [], ctx);
    expect(appliedFaults([], plan, [], ctx)).toEqual(a);
    expect(appliedFaults([], { ...plan, seed: 8 }, [], ctx)).not.toEqual(a);
    expect(a.length).toBeGreaterThan(5);
    expect(new Set(a.map((f) => f.kind)).size).toBeGreaterThan(3);
  });

  it("never breaks the budget, never runs past the run, and keeps the scenario's faults", () => {
    const own: Fault = { at: 3, for: 40, kind: "crash", validators: [0, 1], loseStore: false };
    const noShow: Adversary = { kind: "no-show", validators: [11] };
    for (let seed = 0; seed < 30; seed++) {
      const faults = appliedFaults([own], { ...plan, seed }, [noShow], ctx);
      expect(faults).toContainEqual({ ...own, until: 43 });
      expect(budgetErrors(faults, [noShow], ctx)).toEqual([]);
      for (const f of faults) {
        expect(f.until).toBe(f.at + f.for);
        expect(f.until - 1).toBeLessThanOrEqual(ctx.slots);
        if (f.kind !== "session-change") expect(f.for).toBeGreaterThanOrEqual(1);
      }
      // Sorted by start.
      expect(faults.map((f) => f.at)).toEqual([...faults.map((f) => f.at)].sort((x, y) => x - y));
    }
  });

  it("a fault is active from at up to, not including, at + for", () => {
    const f = { at: 5, for: 2 };
    expect([4, 5, 6, 7].map((s) => faultActive(f, s))).toEqual([false, true, true, false]);
  });
});
