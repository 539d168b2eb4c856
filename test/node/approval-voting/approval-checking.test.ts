/**
 * Approval checking's pure core. The first block ports polkadot-sdk's own unit tests of
 * approval_checking.rs (`#[cfg(test)] mod tests`), one `it` per Rust test with the Rust name and
 * the same numbers; the trigger tests port the `should_trigger_assignment` tests of
 * approval-voting/src/tests.rs. The rest covers what those leave out: the `APPROVAL_DELAY` rule,
 * escalation to `All`, insta-approval, wakeups and the coalescing deadline.
 */
import { describe, expect, it } from "vitest";
import { Prng } from "../../../src/lib/prng.ts";
import {
  ApprovalEntry,
  type ApprovalEntryView,
  type CandidateSigningContext,
  type Check,
  cannotBeApproved,
  cannotBeApprovedYet,
  cannotTrigger,
  checkApproval,
  countNoShows,
  filledTrancheIterator,
  getCandidatesThatNeedSignature,
  instaApproved,
  isApproved,
  isApprovedAt,
  knownNoShows,
  nextWakeup,
  type RequiredTranches,
  shouldTriggerAssignment,
  signNoLaterThan,
  stateOutput,
  tranchesToApprove,
  tranchesToApproveResult,
} from "../../../src/node/core/approval-voting/approval-checking.ts";
import { DELAY_TRANCHE_MAX, type Tick } from "../../../src/node/core/approval-voting/time.ts";

/** `Tick::max_value()` as `is_approved` reads it. */
const TICK_MAX = Number.MAX_SAFE_INTEGER;

/** `bitvec![u8, Lsb0; value; n]`. */
function bits(n: number, value = false): boolean[] {
  return new Array<boolean>(n).fill(value);
}

/** `candidate.mark_approval(v)` for each `v`. */
function approvalsOf(n: number, approved: readonly number[]): boolean[] {
  const b = bits(n);
  for (const v of approved) b[v] = true;
  return b;
}

/** An approval entry built from tranches, as the Rust tests build `approval_db::v3::ApprovalEntry`. */
function entryOf(
  nValidators: number,
  tranches: readonly { tranche: number; validators: readonly number[]; tick: Tick }[],
): ApprovalEntryView {
  return {
    nValidators,
    tranches: tranches.map((t) => ({
      tranche: t.tranche,
      assignments: t.validators.map((v) => [v, t.tick] as const),
    })),
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe("approval_checking.rs tests (ported)", () => {
  it("pending_is_not_approved", () => {
    const check = checkApproval([], entryOf(0, []), {
      kind: "Pending",
      considered: 0,
      nextNoShow: null,
      maximumBroadcast: 0,
      clockDrift: 0,
    });
    expect(isApproved(check, TICK_MAX)).toBe(false);
  });

  it("exact_takes_only_assignments_up_to", () => {
    const approvals = approvalsOf(10, [0, 1, 2]);
    const entry = entryOf(10, [
      { tranche: 0, validators: range(0, 2), tick: 0 },
      { tranche: 1, validators: range(2, 5), tick: 1 },
      { tranche: 2, validators: range(5, 10), tick: 0 },
    ]);
    const exact = (needed: number, toleratedMissing: number): RequiredTranches => ({
      kind: "Exact",
      needed,
      toleratedMissing,
      nextNoShow: null,
      lastAssignmentTick: null,
    });
    expect(isApproved(checkApproval(approvals, entry, exact(0, 0)), TICK_MAX)).toBe(true);
    expect(isApproved(checkApproval(approvals, entry, exact(1, 0)), TICK_MAX)).toBe(false);
    expect(isApproved(checkApproval(approvals, entry, exact(1, 2)), TICK_MAX)).toBe(true);
  });

  it("one_honest_node_always_approves", () => {
    const approvals = approvalsOf(10, [0, 1, 2]);
    const entry = entryOf(10, [
      { tranche: 0, validators: range(0, 4), tick: 0 },
      { tranche: 1, validators: range(4, 6), tick: 1 },
      { tranche: 2, validators: range(6, 10), tick: 0 },
    ]);
    const exactAll: RequiredTranches = {
      kind: "Exact",
      needed: 10,
      toleratedMissing: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
    };
    const pendingAll: RequiredTranches = {
      kind: "Pending",
      considered: 5,
      nextNoShow: null,
      maximumBroadcast: 8,
      clockDrift: 12,
    };
    const all: RequiredTranches = { kind: "All" };
    for (const required of [all, exactAll, pendingAll]) {
      expect(isApproved(checkApproval(approvals, entry, required), TICK_MAX)).toBe(false);
    }
    // This creates a set of 4/10 approvals, which is always an approval.
    approvals[3] = true;
    for (const required of [all, exactAll, pendingAll]) {
      expect(isApproved(checkApproval(approvals, entry, required), TICK_MAX)).toBe(true);
    }
  });

  it("tranches_to_approve_everyone_present", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const entry = new ApprovalEntry(5);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    entry.importAssignment(1, 2, blockTick + 1);
    entry.importAssignment(1, 3, blockTick + 1);
    entry.importAssignment(2, 4, blockTick + 2);
    const approvals = bits(5, true);
    expect(
      tranchesToApprove(entry, approvals, 2, blockTick, noShowDuration, neededApprovals),
    ).toEqual({
      kind: "Exact",
      needed: 1,
      toleratedMissing: 0,
      nextNoShow: null,
      lastAssignmentTick: 21,
    });
  });

  it("tranches_to_approve_not_enough_initial_count", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const entry = new ApprovalEntry(10);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(1, 2, blockTick);
    const approvals = bits(10);
    const trancheNow = 2;
    expect(
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals),
    ).toEqual({
      kind: "Pending",
      considered: 2,
      nextNoShow: blockTick + noShowDuration,
      maximumBroadcast: DELAY_TRANCHE_MAX,
      clockDrift: 0,
    });
  });

  it("tranches_to_approve_no_shows_before_initial_count_treated_same_as_not_initial", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const entry = new ApprovalEntry(10);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    entry.importAssignment(1, 2, blockTick);
    const approvals = approvalsOf(10, [0, 1]);
    const trancheNow = noShowDuration + 1;
    expect(
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals),
    ).toEqual({
      kind: "Pending",
      considered: 11,
      nextNoShow: null,
      maximumBroadcast: DELAY_TRANCHE_MAX,
      clockDrift: 0,
    });
  });

  it("tranches_to_approve_cover_no_show_not_enough", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const nValidators = 8;
    const entry = new ApprovalEntry(nValidators);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    entry.importAssignment(1, 2, blockTick);
    entry.importAssignment(1, 3, blockTick);
    const approvals = approvalsOf(nValidators, [0, 1, 3]); // skip 2
    const trancheNow = noShowDuration + 1;
    const run = () =>
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals);
    expect(run()).toEqual({
      kind: "Pending",
      considered: 1,
      nextNoShow: null,
      maximumBroadcast: 2, // tranche 1 + 1 no-show
      clockDrift: 1 * noShowDuration,
    });
    approvals[0] = false;
    expect(run()).toEqual({
      kind: "Pending",
      considered: 1,
      nextNoShow: null,
      maximumBroadcast: 3, // tranche 1 + 2 no-shows
      clockDrift: 1 * noShowDuration,
    });
  });

  it("tranches_to_approve_multi_cover_not_enough", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const nValidators = 8;
    const entry = new ApprovalEntry(nValidators);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    entry.importAssignment(1, 2, blockTick + 1);
    entry.importAssignment(1, 3, blockTick + 1);
    entry.importAssignment(2, 4, blockTick + noShowDuration + 2);
    entry.importAssignment(2, 5, blockTick + noShowDuration + 2);
    const approvals = approvalsOf(nValidators, [0, 1, 3, 5]); // skip 2 and 4
    const at = (trancheNow: number) =>
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals);

    expect(at(1)).toEqual({
      kind: "Exact",
      needed: 1,
      toleratedMissing: 0,
      nextNoShow: blockTick + noShowDuration + 1,
      lastAssignmentTick: blockTick + 1,
    });
    // first no-show covered.
    expect(at(noShowDuration + 2)).toEqual({
      kind: "Exact",
      needed: 2,
      toleratedMissing: 1,
      nextNoShow: blockTick + 2 * noShowDuration + 2,
      lastAssignmentTick: blockTick + noShowDuration + 2,
    });
    // another no-show in tranche 2.
    expect(at(noShowDuration * 2 + 2)).toEqual({
      kind: "Pending",
      considered: 2,
      nextNoShow: null,
      maximumBroadcast: 3, // tranche 2 + 1 uncovered no-show.
      clockDrift: 2 * noShowDuration,
    });
  });

  it("tranches_to_approve_cover_no_show", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 4;
    const nValidators = 8;
    const entry = new ApprovalEntry(nValidators);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    entry.importAssignment(1, 2, blockTick + 1);
    entry.importAssignment(1, 3, blockTick + 1);
    entry.importAssignment(2, 4, blockTick + noShowDuration + 2);
    entry.importAssignment(2, 5, blockTick + noShowDuration + 2);
    const approvals = approvalsOf(nValidators, [0, 1, 3, 4, 5]); // skip 2
    const at = (trancheNow: number) =>
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals);

    expect(at(noShowDuration + 2)).toEqual({
      kind: "Exact",
      needed: 2,
      toleratedMissing: 1,
      nextNoShow: null,
      lastAssignmentTick: blockTick + noShowDuration + 2,
    });
    // Even though tranche 2 has 2 validators, it only covers 1 no-show.
    // To cover a second no-show, we need to take another non-empty tranche.
    approvals[0] = false;
    expect(at(noShowDuration + 2)).toEqual({
      kind: "Pending",
      considered: 2,
      nextNoShow: null,
      maximumBroadcast: 3,
      clockDrift: noShowDuration,
    });
    entry.importAssignment(3, 6, blockTick);
    approvals[6] = true;
    expect(at(noShowDuration + 3)).toEqual({
      kind: "Exact",
      needed: 3,
      toleratedMissing: 2,
      nextNoShow: null,
      lastAssignmentTick: blockTick + noShowDuration + 2,
    });
  });

  it("validator_indexes_out_of_range_are_ignored_in_assignments", () => {
    const blockTick = 20;
    const noShowDuration = 10;
    const neededApprovals = 3;
    // Assignments with invalid validator indexes.
    const entry = entryOf(3, [{ tranche: 1, validators: range(2, 5), tick: 1 }]);
    const approvals = bits(3);
    const trancheNow = 10;
    expect(
      tranchesToApprove(entry, approvals, trancheNow, blockTick, noShowDuration, neededApprovals),
    ).toEqual({
      kind: "Pending",
      considered: 10,
      nextNoShow: null,
      maximumBroadcast: DELAY_TRANCHE_MAX,
      clockDrift: 0,
    });
  });

  it("filled_tranche_iterator_yields_sequential_tranches", () => {
    const PREFIX = 10;
    const testTranches = [
      [], // empty set
      [0], // zero start
      [0, 3], // zero start with gap
      [2], // non-zero start
      [2, 4], // non-zero start with gap
      [0, 1, 2], // zero start with run and no gap
      [2, 3, 4, 8], // non-zero start with run and gap
      [0, 1, 2, 5, 6, 7], // zero start with runs and gap
    ];
    for (const testTranche of testTranches) {
      const entry = new ApprovalEntry(3);
      // Populate the requested tranches. The assignments aren't inspected in this test...
      for (const t of testTranche) entry.importAssignment(t, 0, 0);
      const seen: number[] = [];
      const filled: number[] = [];
      for (const [tranche, assignments] of filledTrancheIterator(entry.tranches)) {
        if (seen.length === PREFIX) break;
        seen.push(tranche);
        if (assignments.length > 0) filled.push(tranche);
      }
      // ...by the Rust; here also: each non-empty tranche comes with its own assignments.
      expect(seen, `for test tranches: ${testTranche}`).toEqual(range(0, PREFIX));
      expect(filled).toEqual(testTranche);
    }
  });

  // `test_count_no_shows`: 4 validators, block tick 20.
  const noShowCases: {
    name: string;
    assignments: [number, Tick][];
    approvals: number[];
    clockDrift: Tick;
    noShowDuration: Tick;
    driftedTickNow: Tick;
    expNoShows: number;
    expNextNoShow: Tick | null;
  }[] = [
    {
      name: "count_no_shows_empty_assignments",
      assignments: [],
      approvals: [],
      clockDrift: 0,
      noShowDuration: 0,
      driftedTickNow: 0,
      expNoShows: 0,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_single_validator_is_next_no_show",
      assignments: [[1, 31]],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: 41,
    },
    {
      name: "count_no_shows_single_validator_approval_at_drifted_tick_now",
      assignments: [[1, 20]],
      approvals: [1],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_single_validator_approval_after_drifted_tick_now",
      assignments: [[1, 21]],
      approvals: [1],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_two_validators_next_no_show_ordered_first",
      assignments: [
        [1, 31],
        [2, 32],
      ],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: 41,
    },
    {
      name: "count_no_shows_two_validators_next_no_show_ordered_last",
      assignments: [
        [1, 32],
        [2, 31],
      ],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: 41,
    },
    {
      name: "count_no_shows_three_validators_one_almost_late_one_no_show_one_approving",
      assignments: [
        [1, 31],
        [2, 19],
        [3, 19],
      ],
      approvals: [3],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 1,
      expNextNoShow: 41,
    },
    {
      name: "count_no_shows_three_no_show_validators",
      assignments: [
        [1, 20],
        [2, 20],
        [3, 20],
      ],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 3,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_three_approving_validators",
      assignments: [
        [1, 20],
        [2, 20],
        [3, 20],
      ],
      approvals: [1, 2, 3],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_earliest_possible_next_no_show_is_clock_drift_plus_no_show_duration",
      assignments: [[1, 0]],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 20,
      driftedTickNow: 0,
      expNoShows: 0,
      expNextNoShow: 40,
    },
    {
      name: "count_no_shows_assignment_tick_equal_to_clock_drift_yields_earliest_possible_next_no_show",
      assignments: [[1, 10]],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 20,
      driftedTickNow: 0,
      expNoShows: 0,
      expNextNoShow: 40,
    },
    {
      name: "count_no_shows_validator_index_out_of_approvals_range_is_ignored_as_no_show",
      assignments: [[1000, 20]],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: null,
    },
    {
      name: "count_no_shows_validator_index_out_of_approvals_range_is_ignored_as_next_no_show",
      assignments: [[1000, 21]],
      approvals: [],
      clockDrift: 10,
      noShowDuration: 10,
      driftedTickNow: 20,
      expNoShows: 0,
      expNextNoShow: null,
    },
  ];
  for (const c of noShowCases) {
    it(c.name, () => {
      const nValidators = 4;
      const blockTick = 20;
      const r = countNoShows(
        c.assignments,
        approvalsOf(nValidators, c.approvals),
        c.clockDrift,
        blockTick,
        c.noShowDuration,
        c.driftedTickNow,
      );
      expect(r.noShows).toBe(c.expNoShows);
      expect(r.nextNoShow).toBe(c.expNextNoShow);
      expect(r.noShowValidators).toHaveLength(c.expNoShows);
    });
  }

  it("depth_0_covering_not_treated_as_such", () => {
    const state = {
      assignments: 0,
      depth: 0,
      covered: 0,
      covering: 10,
      uncovered: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
      totalObservedNoShows: 0,
      noShowValidators: [],
    };
    expect(stateOutput(state, 0, 10, 10, 20).requiredTranches).toEqual({
      kind: "Pending",
      considered: 0,
      nextNoShow: null,
      maximumBroadcast: DELAY_TRANCHE_MAX,
      clockDrift: 0,
    });
  });

  it("maximum_broadcast counts the uncovered no-shows of the depth too (not ported)", () => {
    const state = {
      assignments: 3,
      depth: 1,
      covered: 1,
      covering: 1,
      uncovered: 2,
      nextNoShow: null,
      lastAssignmentTick: null,
      totalObservedNoShows: 3,
      noShowValidators: [],
    };
    expect(stateOutput(state, 4, 2, 10, 20).requiredTranches).toEqual({
      kind: "Pending",
      considered: 4,
      nextNoShow: null,
      maximumBroadcast: 7,
      clockDrift: 20,
    });
    // ... and All once they, the covering and the assignments reach n.
    expect(stateOutput(state, 4, 2, 6, 20).requiredTranches).toEqual({ kind: "All" });
  });

  it("depth_0_issued_as_exact_even_when_all", () => {
    const state = {
      assignments: 10,
      depth: 0,
      covered: 0,
      covering: 0,
      uncovered: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
      totalObservedNoShows: 0,
      noShowValidators: [],
    };
    expect(stateOutput(state, 0, 10, 10, 20).requiredTranches).toEqual({
      kind: "Exact",
      needed: 0,
      toleratedMissing: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
    });
  });
});

describe("should_trigger_assignment tests of approval-voting tests.rs (ported)", () => {
  // Each Rust test: 4 validators, no tranches, our assignment (validator 4) at tranche 1.
  const untriggered = { tranche: 1, triggered: false };

  it("assignment_triggered_by_all_with_less_than_threshold", () => {
    const entry = new ApprovalEntry(4);
    entry.importAssignment(0, 0, 0); // 1-of-4
    const approvals = approvalsOf(4, [0]);
    expect(shouldTriggerAssignment(untriggered, approvals, entry, { kind: "All" }, 1)).toBe(true);
  });

  it("assignment_not_triggered_by_all_with_threshold", () => {
    const entry = new ApprovalEntry(4);
    entry.importAssignment(0, 0, 0); // 2-of-4
    entry.importAssignment(0, 1, 0);
    const approvals = approvalsOf(4, [0, 1]);
    expect(shouldTriggerAssignment(untriggered, approvals, entry, { kind: "All" }, 1)).toBe(false);
  });

  it("assignment_not_triggered_if_already_triggered", () => {
    const ours = { tranche: 1, triggered: true };
    expect(shouldTriggerAssignment(ours, bits(4), new ApprovalEntry(4), { kind: "All" }, 1)).toBe(
      false,
    );
  });

  it("assignment_not_triggered_by_exact", () => {
    const exact: RequiredTranches = {
      kind: "Exact",
      needed: 2,
      toleratedMissing: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
    };
    expect(shouldTriggerAssignment(untriggered, bits(4), new ApprovalEntry(4), exact, 1)).toBe(
      false,
    );
  });

  const pending = (maximumBroadcast: number, clockDrift: Tick): RequiredTranches => ({
    kind: "Pending",
    maximumBroadcast,
    clockDrift,
    considered: 10,
    nextNoShow: null,
  });

  it("assignment_not_triggered_more_than_maximum", () => {
    const maximumBroadcast = 10;
    const ours = { tranche: maximumBroadcast + 1, triggered: false };
    expect(
      shouldTriggerAssignment(
        ours,
        bits(4),
        new ApprovalEntry(4),
        pending(maximumBroadcast, 0),
        50,
      ),
    ).toBe(false);
  });

  it("assignment_triggered_if_at_maximum", () => {
    const maximumBroadcast = 10;
    const ours = { tranche: maximumBroadcast, triggered: false };
    const entry = new ApprovalEntry(4);
    expect(
      shouldTriggerAssignment(ours, bits(4), entry, pending(maximumBroadcast, 0), maximumBroadcast),
    ).toBe(true);
  });

  it("assignment_not_triggered_if_at_maximum_but_clock_is_before", () => {
    const maximumBroadcast = 10;
    const ours = { tranche: maximumBroadcast, triggered: false };
    expect(
      shouldTriggerAssignment(ours, bits(4), new ApprovalEntry(4), pending(maximumBroadcast, 0), 9),
    ).toBe(false);
  });

  it("assignment_not_triggered_if_at_maximum_but_clock_is_before_with_drift", () => {
    const maximumBroadcast = 10;
    const ours = { tranche: maximumBroadcast, triggered: false };
    const entry = new ApprovalEntry(4);
    expect(shouldTriggerAssignment(ours, bits(4), entry, pending(maximumBroadcast, 1), 10)).toBe(
      false,
    );
    // ...and one tick later the drifted clock reaches it.
    expect(shouldTriggerAssignment(ours, bits(4), entry, pending(maximumBroadcast, 1), 11)).toBe(
      true,
    );
  });
});

describe("the rest of approval checking", () => {
  it("a tranche-0 assignment always triggers, whatever is required (even Exact)", () => {
    const exact: RequiredTranches = {
      kind: "Exact",
      needed: 0,
      toleratedMissing: 0,
      nextNoShow: null,
      lastAssignmentTick: null,
    };
    const entry = new ApprovalEntry(4);
    expect(
      shouldTriggerAssignment({ tranche: 0, triggered: false }, bits(4), entry, exact, 0),
    ).toBe(true);
    expect(shouldTriggerAssignment(null, bits(4), entry, exact, 0)).toBe(false);
  });

  it("APPROVAL_DELAY: Approved waits until the last counted assignment is 2 ticks old", () => {
    const check: Check = { kind: "Approved", toleratedMissing: 0, lastAssignmentTick: 100 };
    expect(isApprovedAt(check, 101)).toBe(false);
    expect(isApprovedAt(check, 102)).toBe(true);
    expect(isApproved(check, 99)).toBe(false);
    expect(isApproved(check, 100)).toBe(true);
    // No counted assignment tick, and ApprovedOneThird: no wait.
    expect(isApprovedAt({ ...check, lastAssignmentTick: null }, 0)).toBe(true);
    expect(isApprovedAt({ kind: "ApprovedOneThird" }, 0)).toBe(true);
    expect(isApprovedAt({ kind: "Unapproved" }, 1000)).toBe(false);
  });

  it("check_approval's one-third rule is strict: 3 of 9 is not enough, 4 of 9 is", () => {
    const entry = new ApprovalEntry(9);
    const pendingAll: RequiredTranches = { kind: "All" };
    expect(checkApproval(approvalsOf(9, [0, 1, 2]), entry, pendingAll)).toEqual({
      kind: "Unapproved",
    });
    expect(checkApproval(approvalsOf(9, [0, 1, 2, 3]), entry, pendingAll)).toEqual({
      kind: "ApprovedOneThird",
    });
    // Any 0/1 byte array works as the bitfield.
    expect(checkApproval(Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0]), entry, pendingAll)).toEqual({
      kind: "ApprovedOneThird",
    });
  });

  it("an Exact with tolerated no-shows approves and reports them as known no-shows", () => {
    const entry = new ApprovalEntry(8);
    for (const v of [0, 1, 2]) entry.importAssignment(0, v, 20);
    const check = checkApproval(approvalsOf(8, [0, 1]), entry, {
      kind: "Exact",
      needed: 0,
      toleratedMissing: 1,
      nextNoShow: null,
      lastAssignmentTick: 20,
    });
    expect(check).toEqual({ kind: "Approved", toleratedMissing: 1, lastAssignmentTick: 20 });
    expect(knownNoShows(check)).toBe(1);
    expect(knownNoShows({ kind: "ApprovedOneThird" })).toBe(0);
  });

  it("escalates depth by depth while no-shows pile up, then to All", () => {
    // n = 6, needed 2: tranche 0 {0, 1}, both no-shows; each later tranche one no-show.
    const blockTick = 100;
    const noShowDuration = 4;
    const entry = new ApprovalEntry(6);
    entry.importAssignment(0, 0, blockTick);
    entry.importAssignment(0, 1, blockTick);
    const approvals = bits(6);
    const at = (trancheNow: number) =>
      tranchesToApproveResult(entry, approvals, trancheNow, blockTick, noShowDuration, 2);

    expect(at(3).requiredTranches).toEqual({
      kind: "Exact",
      needed: 0,
      toleratedMissing: 0,
      nextNoShow: blockTick + noShowDuration,
      lastAssignmentTick: blockTick,
    });
    // Both are no-shows at tick 104: depth 1 needs two further non-empty tranches.
    const depth1 = at(4);
    expect(depth1.requiredTranches).toEqual({
      kind: "Pending",
      considered: 0,
      nextNoShow: null,
      maximumBroadcast: 2,
      clockDrift: noShowDuration,
    });
    expect(depth1.totalObservedNoShows).toBe(2);
    expect(depth1.noShowValidators).toEqual([0, 1]);

    // Two covering tranches, one of which will become a no-show too.
    entry.importAssignment(1, 2, blockTick + 5);
    entry.importAssignment(2, 3, blockTick + 6);
    approvals[3] = true;
    expect(at(6).requiredTranches).toEqual({
      kind: "Exact",
      needed: 2,
      toleratedMissing: 2,
      nextNoShow: blockTick + 5 + noShowDuration,
      lastAssignmentTick: blockTick + 6,
    });
    // Validator 2 no-shows (at 109, seen through the depth-1 drift at tick 113): depth 2, whose
    // clock runs 8 ticks behind, so the empty tranches up to (113 - 8) - 100 = 5 are considered.
    expect(at(13).requiredTranches).toEqual({
      kind: "Pending",
      considered: 5,
      nextNoShow: null,
      maximumBroadcast: 6, // tranche 5 + 1 no-show to cover
      clockDrift: 2 * noShowDuration,
    });
    // Validator 4 covers validator 2 but no-shows too: depth 3 would need its 5 assignments + 1
    // more, every validator: All.
    entry.importAssignment(3, 4, blockTick + 7);
    expect(at(40).requiredTranches).toEqual({ kind: "All" });
  });

  it("insta-approval: needed_approvals 0, or fewer possible checkers than needed", () => {
    expect(instaApproved(0, 100, 5)).toBe(true);
    expect(instaApproved(30, 100, 5)).toBe(false);
    expect(instaApproved(3, 5, 2)).toBe(false); // 3 checkers for 3 needed
    expect(instaApproved(3, 5, 3)).toBe(true); // 2 checkers for 3 needed
    expect(instaApproved(3, 2, 5)).toBe(true); // saturating
  });

  it("next wakeup: Exact waits for APPROVAL_DELAY or the next no-show, Pending for the next tranche", () => {
    const entry = new ApprovalEntry(10);
    entry.importAssignment(0, 0, 20);
    entry.importAssignment(5, 1, 25);
    const blockTick = 20;
    const exact = (lastAssignmentTick: Tick | null, nextNoShow: Tick | null): RequiredTranches => ({
      kind: "Exact",
      needed: 0,
      toleratedMissing: 0,
      nextNoShow,
      lastAssignmentTick,
    });
    expect(nextWakeup(entry, null, false, blockTick, 30, exact(29, 50))).toBe(31);
    expect(nextWakeup(entry, null, false, blockTick, 30, exact(28, 50))).toBe(50); // 30 is not after now
    expect(nextWakeup(entry, null, false, blockTick, 30, exact(20, null))).toBe(null);
    expect(nextWakeup(entry, null, false, blockTick, 30, exact(29, 30))).toBe(30);

    const pending = (
      considered: number,
      clockDrift: Tick,
      nextNoShow: Tick | null,
    ): RequiredTranches => ({
      kind: "Pending",
      considered,
      nextNoShow,
      maximumBroadcast: DELAY_TRANCHE_MAX,
      clockDrift,
    });
    // Next announced tranche after 2 is 5: tick 20 + 5 (+ drift).
    expect(nextWakeup(entry, null, false, blockTick, 22, pending(2, 0, null))).toBe(25);
    expect(nextWakeup(entry, null, false, blockTick, 22, pending(2, 8, null))).toBe(33);
    expect(nextWakeup(entry, null, false, blockTick, 22, pending(2, 0, 24))).toBe(24);
    // Our untriggered assignment at tranche 3 comes first; triggered, it does not count.
    expect(
      nextWakeup(
        entry,
        { tranche: 3, triggered: false },
        false,
        blockTick,
        22,
        pending(2, 0, null),
      ),
    ).toBe(23);
    expect(
      nextWakeup(entry, { tranche: 3, triggered: true }, false, blockTick, 22, pending(2, 0, null)),
    ).toBe(25);
    // ... and only one after `considered`.
    const atConsidered = { tranche: 2, triggered: false };
    expect(nextWakeup(entry, atConsidered, false, blockTick, 22, pending(2, 0, null))).toBe(25);
    // Nothing after tranche 5, no no-show: no wakeup.
    expect(nextWakeup(entry, null, false, blockTick, 22, pending(5, 0, null))).toBe(null);
    // All, or an approved entry: none.
    expect(nextWakeup(entry, null, false, blockTick, 22, { kind: "All" })).toBe(null);
    expect(nextWakeup(entry, null, true, blockTick, 30, exact(29, 50))).toBe(null);
  });

  it("coalescing: sign no later than now + 12 ticks, or half the no-show time after our tranche", () => {
    // no_show_duration 24 (2 slots of 6 s): half is 12.
    expect(signNoLaterThan(100, 90, 0, 24)).toBe(102); // 90 + 0 + 12 < 100 + 12
    expect(signNoLaterThan(100, 90, 20, 24)).toBe(112); // 100 + 12 < 90 + 20 + 12
    expect(signNoLaterThan(100, 90, 0, 25)).toBe(102); // 25 / 2 rounds down
  });

  it("get_candidates_that_need_signature: at the deadline or at the coalesce count", () => {
    const pending = new Map<number, CandidateSigningContext>([
      [2, { candidateHash: "0x02", signNoLaterThanTick: 30 }],
      [0, { candidateHash: "0x00", signNoLaterThanTick: 25 }],
    ]);
    expect(getCandidatesThatNeedSignature(pending, 24, 6)).toEqual({
      toSign: null,
      signNoLaterThanTick: 25,
    });
    expect(getCandidatesThatNeedSignature(pending, 25, 6)).toEqual({
      toSign: { candidateHashes: ["0x00", "0x02"], candidateIndices: [0, 2] },
      signNoLaterThanTick: 25,
    });
    // max_approval_coalesce_count = 2 reached: sign at once. (The default 1 always signs.)
    expect(getCandidatesThatNeedSignature(pending, 0, 2).toSign?.candidateIndices).toEqual([0, 2]);
    expect(getCandidatesThatNeedSignature(new Map(), 0, 1)).toEqual({
      toSign: null,
      signNoLaterThanTick: null,
    });
  });

  it("ApprovalEntry keeps tranches sorted and tracks assigned validators", () => {
    const entry = new ApprovalEntry(5);
    entry.importAssignment(4, 1, 10);
    entry.importAssignment(1, 2, 11);
    entry.importAssignment(4, 3, 12);
    entry.importAssignment(0, 4, 13);
    expect(entry.tranches.map((t) => t.tranche)).toEqual([0, 1, 4]);
    expect(entry.tranches[2]!.assignments).toEqual([
      [1, 10],
      [3, 12],
    ]);
    expect([0, 1, 2, 3, 4].map((v) => entry.isAssigned(v))).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(entry.nAssignments()).toBe(4);
    expect(() => entry.importAssignment(0, 5, 0)).toThrow(/beyond/);
  });
});

/**
 * A random entry as import builds it: 3 to 40 validators, each assigned at most once, in a
 * tranche below `tranches`, at a tick from the block's to `ticks` after it.
 */
function randomEntry(rng: Prng, tranches: number, ticks: number) {
  const n = rng.intBetween(3, 40);
  const blockTick = rng.int(20);
  const entry = new ApprovalEntry(n);
  const order = rng.shuffle(Array.from({ length: n }, (_, v) => v));
  const assigned = rng.int(n + 1);
  for (let k = 0; k < assigned; k++) {
    entry.importAssignment(rng.int(tranches), order[k]!, blockTick + rng.int(ticks));
  }
  return { n, blockTick, entry };
}

describe("the shortcuts approval voting takes before tranches_to_approve", () => {
  /**
   * Random entries as import builds them (each validator assigned at most once, at a tick at or
   * after the block's), random approvals and times, many no-shows: wherever the full rules say
   * approved or trigger, the shortcut must not have said it cannot be.
   */
  it("cannotBeApproved and cannotTrigger never contradict check_approval and should_trigger", () => {
    const rng = Prng.fromSeed("approval-shortcuts");
    let approvedSeen = 0;
    let triggeredSeen = 0;
    let allSeen = 0;
    for (let round = 0; round < 20_000; round++) {
      const { n, blockTick, entry } = randomEntry(rng, 12, 30);
      const pApprove = rng.float();
      const approvals = Array.from({ length: n }, () => rng.bernoulli(pApprove));
      const count = approvals.filter(Boolean).length;
      const trancheNow = rng.int(60);
      const noShow = rng.intBetween(1, 12);
      const needed = rng.intBetween(1, n);
      const required = tranchesToApprove(entry, approvals, trancheNow, blockTick, noShow, needed);
      if (required.kind === "All") allSeen++;
      if (isApproved(checkApproval(approvals, entry, required), TICK_MAX)) {
        approvedSeen++;
        expect(cannotBeApproved(entry, count, needed)).toBe(false);
      }
      const ours = { tranche: rng.int(15), triggered: false };
      if (shouldTriggerAssignment(ours, approvals, entry, required, trancheNow)) {
        triggeredSeen++;
        expect(cannotTrigger(ours.tranche, trancheNow, entry.importedCount, n)).toBe(false);
      }
    }
    // The draws reach every case the shortcuts rule on.
    expect(approvedSeen).toBeGreaterThan(1000);
    expect(triggeredSeen).toBeGreaterThan(1000);
    expect(allSeen).toBeGreaterThan(100);
  });

  /**
   * As import builds them: approvals only from assigned validators, times from before the block
   * to past the no-show deadlines. Wherever the full rules say approved at `tickNow`, the
   * shortcut must not have said it cannot be; and it must rule out cases `cannotBeApproved` lets
   * through (or it saves nothing).
   */
  it("cannotBeApprovedYet never contradicts tranches_to_approve and check_approval", () => {
    const rng = Prng.fromSeed("approval-shortcut-yet");
    let approvedSeen = 0;
    let earlyApprovedSeen = 0;
    let ruledOutBeyondCount = 0;
    for (let round = 0; round < 20_000; round++) {
      const { n, blockTick, entry } = randomEntry(rng, 8, 16);
      // Often most of them approved: the case the shortcut adds to `cannotBeApproved`.
      const pApprove = rng.bernoulli(0.5) ? rng.float() : 0.7 + 0.3 * rng.float();
      const approvals = Array.from(
        { length: n },
        (_, v) => entry.isAssigned(v) && rng.bernoulli(pApprove),
      );
      const count = approvals.filter(Boolean).length;
      const tickNow = blockTick - 2 + rng.int(40);
      const trancheNow = Math.max(0, tickNow - blockTick);
      const noShow = rng.intBetween(1, 24);
      // Often at most a third: approval without `ApprovedOneThird`, as on a large network.
      const needed = rng.intBetween(1, rng.bernoulli(0.5) ? n : Math.max(1, Math.floor(n / 3)));
      const required = tranchesToApprove(entry, approvals, trancheNow, blockTick, noShow, needed);
      const approved = isApproved(checkApproval(approvals, entry, required), TICK_MAX);
      const yet = cannotBeApprovedYet(entry, count, needed, tickNow, blockTick, noShow);
      if (approved) {
        approvedSeen++;
        if (tickNow < blockTick + noShow) earlyApprovedSeen++;
        expect(yet).toBe(false);
      }
      if (yet && !cannotBeApproved(entry, count, needed)) ruledOutBeyondCount++;
    }
    expect(approvedSeen).toBeGreaterThan(1000);
    expect(earlyApprovedSeen).toBeGreaterThan(500);
    expect(ruledOutBeyondCount).toBeGreaterThan(200);
  });
});
