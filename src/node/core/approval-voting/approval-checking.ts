/**
 * Whether a candidate is approved under a relay block: how many tranches of assignments are
 * needed (`tranchesToApprove`), whether the approvals cover them (`checkApproval`), and around
 * them the node's rules for insta-approval, triggering our own assignment, the next wakeup and the
 * deadline for signing coalesced approvals.
 *
 * `tranchesToApprove` follows approval_checking.rs line by line (spec/SEMANTICS.md 5.5.5): walk
 * tranches 0, 1, 2, ... (missing ones are empty) while `tranche <= drifted_tranche_now`; count
 * assignments until `needed_approvals` (depth 0); every no-show must then be covered by one further
 * NON-EMPTY tranche (however many assignments it holds); no-shows seen while covering open the next
 * depth, each depth shifting the clock used for no-show detection back by `no_show_duration`
 * (`clock_drift = depth * no_show_duration`); `All` once covering would need every validator.
 * A no-show (`countNoShows`) is an assignment without an approval whose `max(tick, block_tick) -
 * clock_drift + no_show_duration <= tick_now - clock_drift`; validators beyond the approvals
 * bitfield are ignored.
 *
 * `checkApproval`: `3 * approvals > n` approves outright (`ApprovedOneThird`, strict, `n` the
 * bitfield's length); otherwise only `Exact{needed, tolerated_missing}` can approve, when the
 * validators assigned in tranches `<= needed` that approved, plus `tolerated_missing`, are at least
 * all of them. `isApprovedAt(check, tickNow)` is `advance_approval_state`'s
 * `is_approved(tick_now - APPROVAL_DELAY)`: `Approved` also needs its last counted assignment at
 * least `APPROVAL_DELAY` ticks old.
 *
 * Data: an approval entry (per candidate and block) is its tranches, sorted, each with its
 * `(validator, tick received)` assignments, and `n_validators`; the candidate's approvals
 * (shared across forks) are a bitfield given as any array of booleans or 0/1 bytes, length n.
 *
 * Simplified: no database, no `CandidateEntry` / `BlockEntry`: the functions take the pieces they
 * read (the approvals bitfield, the approval entry, our assignment's tranche and triggered flag,
 * whether the entry is approved, the pending signatures). `ApprovalEntry` keeps only what the
 * checks read (tranches, assigned validators); our assignment, our approval signature and the
 * approved flag stay with the caller.
 *
 * Ref: polkadot/node/core/approval-voting/src/approval_checking.rs (tranches_to_approve, State,
 *      count_no_shows, filled_tranche_iterator, check_approval, Check::is_approved);
 *      persisted_entries.rs (ApprovalEntry::import_assignment, assignments_up_to,
 *      BlockEntry::get_candidates_that_need_signature); lib.rs (should_trigger_assignment,
 *      schedule_wakeup_action, min_prefer_some, compute_delayed_approval_sending_tick,
 *      advance_approval_state, MAX_RECORDED_NO_SHOW_VALIDATORS_PER_CANDIDATE); import.rs (the
 *      insta-approval of `add_block_entry`'s approved bitfield).
 */
import { assert } from "../../../lib/assert.ts";
import type { CandidateHash, ValidatorIndex } from "../../../primitives/codecs.ts";
import {
  APPROVAL_DELAY,
  DELAY_TRANCHE_MAX,
  type DelayTranche,
  MAX_APPROVAL_COALESCE_WAIT_TICKS,
  type Tick,
} from "./time.ts";

/** A bitfield of validators: index i set iff truthy (`BitSlice<u8, Lsb0>`). */
export type ValidatorBitfield = ArrayLike<boolean | number>;

/** `TrancheEntry`: the assignments of one tranche, as `(validator, tick received)`. */
export interface TrancheEntry {
  readonly tranche: DelayTranche;
  readonly assignments: readonly (readonly [ValidatorIndex, Tick])[];
}

/** What the checks read of an `ApprovalEntry`. */
export interface ApprovalEntryView {
  /** Ascending by tranche, one entry per tranche. */
  readonly tranches: readonly TrancheEntry[];
  /** `n_validators()`: the length of `assigned_validators`. */
  readonly nValidators: number;
  /**
   * True when no validator appears twice in `tranches` (what import guarantees): lets
   * `checkApproval` count assignments without building the mask (performance; same answer).
   */
  readonly duplicateFree?: boolean;
}

/** `RequiredTranches`. */
export type RequiredTranches =
  | { readonly kind: "All" }
  | {
      readonly kind: "Pending";
      /** The highest considered delay tranche when counting assignments. */
      readonly considered: DelayTranche;
      /** The tick at which the next no-show, of the assignments counted, would occur. */
      readonly nextNoShow: Tick | null;
      /** The highest tranche to consider when looking to broadcast our own assignment. */
      readonly maximumBroadcast: DelayTranche;
      /** Ticks to treat the local clock as earlier by, when broadcasting or scheduling. */
      readonly clockDrift: Tick;
    }
  | {
      readonly kind: "Exact";
      /** The tranche to inspect up to. */
      readonly needed: DelayTranche;
      /** The amount of missing votes that should be tolerated. */
      readonly toleratedMissing: number;
      /** When the next no-show would be, if any. */
      readonly nextNoShow: Tick | null;
      /** The last tick at which a needed assignment was received. */
      readonly lastAssignmentTick: Tick | null;
    };

/** `TranchesToApproveResult`. */
export interface TranchesToApproveResult {
  readonly requiredTranches: RequiredTranches;
  /** The total number of no-shows at the moment of counting. */
  readonly totalObservedNoShows: number;
  /** The no-show validators, at most `MAX_RECORDED_NO_SHOW_VALIDATORS_PER_CANDIDATE` (metrics). */
  readonly noShowValidators: readonly ValidatorIndex[];
}

/** `Check`. */
export type Check =
  | { readonly kind: "Unapproved" }
  | {
      readonly kind: "Approved";
      /** The no-shows tolerated. */
      readonly toleratedMissing: number;
      /** The tick the last counted assignment was received at. */
      readonly lastAssignmentTick: Tick | null;
    }
  | { readonly kind: "ApprovedOneThird" };

/** `MAX_RECORDED_NO_SHOW_VALIDATORS_PER_CANDIDATE`. */
export const MAX_RECORDED_NO_SHOW_VALIDATORS_PER_CANDIDATE = 20;

/** `min_prefer_some`: the smaller of two optional values, `null` only if both are. */
export function minPreferSome(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** `Option::max`: `None` is smaller than any `Some`. */
function maxOption(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** `BitSlice::get(i)`: the bit, or null beyond the bitfield. */
function bitAt(bits: ValidatorBitfield, i: number): boolean | null {
  return i < bits.length ? Boolean(bits[i]) : null;
}

function countOnes(bits: ValidatorBitfield): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i]) n++;
  return n;
}

/**
 * `ApprovalEntry`, reduced to what the checks read: the tranches of assignments and the
 * `assigned_validators` bitfield. Our assignment, our signature and `approved` stay with the
 * caller (see the header).
 */
export class ApprovalEntry implements ApprovalEntryView {
  private readonly entries: { tranche: DelayTranche; assignments: [ValidatorIndex, Tick][] }[] = [];
  private readonly assigned: Uint8Array;
  /** Assignments imported, and how many distinct validators they name. */
  private imported = 0;
  private distinct = 0;

  constructor(
    readonly nValidators: number,
    /** Where the assigned bits live (zeroed, `nValidators` long); default: a new array. */
    assigned: Uint8Array = new Uint8Array(nValidators),
  ) {
    assert(
      assigned.length === nValidators,
      () => `approval entry: ${assigned.length} assigned bits for ${nValidators} validators`,
    );
    this.assigned = assigned;
  }

  get tranches(): readonly TrancheEntry[] {
    return this.entries;
  }

  /**
   * `import_assignment`: append `(validator, tick)` to its tranche (created in order) and mark the
   * validator assigned. Like the Rust it does not de-duplicate: import checks `isAssigned` first.
   */
  importAssignment(tranche: DelayTranche, validatorIndex: ValidatorIndex, tickNow: Tick): void {
    // Rust's `BitVec::set` panics beyond the bitfield: a parapipe bug here.
    assert(
      validatorIndex >= 0 && validatorIndex < this.nValidators,
      () => `validator ${validatorIndex} beyond the approval entry's ${this.nValidators}`,
    );
    // Linear search, as in Rust ("not many tranches typically").
    let pos = this.entries.findIndex((t) => t.tranche >= tranche);
    if (pos === -1) {
      this.entries.push({ tranche, assignments: [] });
      pos = this.entries.length - 1;
    } else if (this.entries[pos]!.tranche > tranche) {
      this.entries.splice(pos, 0, { tranche, assignments: [] });
    }
    this.entries[pos]!.assignments.push([validatorIndex, tickNow]);
    if (this.assigned[validatorIndex] !== 1) this.distinct++;
    this.imported++;
    this.assigned[validatorIndex] = 1;
  }

  get duplicateFree(): boolean {
    return this.imported === this.distinct;
  }

  /** Assignments imported (duplicates counted). */
  get importedCount(): number {
    return this.imported;
  }

  /** `is_assigned`. */
  isAssigned(validatorIndex: ValidatorIndex): boolean {
    return this.assigned[validatorIndex] === 1;
  }

  /** `n_assignments`: the validators assigned, ours included. */
  nAssignments(): number {
    return countOnes(this.assigned);
  }
}

/** `assignments_up_to`: the validators assigned in tranches `<= tranche`, as n booleans. */
export function assignmentsUpTo(entry: ApprovalEntryView, tranche: DelayTranche): boolean[] {
  const mask = new Array<boolean>(entry.nValidators).fill(false);
  for (const e of entry.tranches) {
    if (e.tranche > tranche) break; // take_while
    for (const [v] of e.assignments) {
      assert(v < entry.nValidators, () => `validator ${v} beyond ${entry.nValidators}`);
      mask[v] = true;
    }
  }
  return mask;
}

/**
 * `count_no_shows`: how many of `assignments` are no-shows at `driftedTickNow`, which ones, and
 * the tick (with the drift added back) at which the next of the others would become one.
 */
export function countNoShows(
  assignments: readonly (readonly [ValidatorIndex, Tick])[],
  approvals: ValidatorBitfield,
  clockDrift: Tick,
  blockTick: Tick,
  noShowDuration: Tick,
  driftedTickNow: Tick,
): { noShows: number; nextNoShow: Tick | null; noShowValidators: ValidatorIndex[] } {
  let nextNoShow: Tick | null = null;
  const noShowValidators: ValidatorIndex[] = [];
  let noShows = 0;
  for (const [vIndex, tick] of assignments) {
    const noShowAt = Math.max(0, Math.max(tick, blockTick) - clockDrift) + noShowDuration;
    const hasApproved = bitAt(approvals, vIndex);
    if (hasApproved === null) continue; // beyond the bitfield: ignored
    const isNoShow = !hasApproved && noShowAt <= driftedTickNow;
    if (!isNoShow && !hasApproved) {
      // The drift is added back: the deadline at which THIS node should look again.
      nextNoShow = minPreferSome(nextNoShow, noShowAt + clockDrift);
    }
    if (isNoShow) {
      noShowValidators.push(vIndex);
      noShows++;
    }
  }
  return { noShows, nextNoShow, noShowValidators };
}

/** approval_checking.rs `State` (exported for the ported tests of `State::output`). */
export interface State {
  assignments: number;
  depth: number;
  covered: number;
  covering: number;
  uncovered: number;
  nextNoShow: Tick | null;
  lastAssignmentTick: Tick | null;
  totalObservedNoShows: number;
  noShowValidators: ValidatorIndex[];
}

function stateResult(s: State, requiredTranches: RequiredTranches): TranchesToApproveResult {
  return {
    requiredTranches,
    totalObservedNoShows: s.totalObservedNoShows,
    noShowValidators: [...s.noShowValidators],
  };
}

/** Which `RequiredTranches` `State::output` gives for `s`. */
function outputKind(
  s: State,
  neededApprovals: number,
  nValidators: number,
): RequiredTranches["kind"] {
  const covering = s.depth === 0 ? 0 : s.covering;
  if (s.depth !== 0 && s.assignments + covering + s.uncovered >= nValidators) return "All";
  // Enough assignments and every no-show covered: we have the tranches we need.
  if (s.assignments >= neededApprovals && covering + s.uncovered === 0) return "Exact";
  return "Pending";
}

/** `State::output`. */
export function stateOutput(
  s: State,
  tranche: DelayTranche,
  neededApprovals: number,
  nValidators: number,
  noShowDuration: Tick,
): TranchesToApproveResult {
  const covering = s.depth === 0 ? 0 : s.covering;
  const result = stateResult.bind(null, s);
  const kind = outputKind(s, neededApprovals, nValidators);
  if (kind === "All") return result({ kind: "All" });
  if (kind === "Exact") {
    return result({
      kind: "Exact",
      needed: tranche,
      toleratedMissing: s.covered,
      nextNoShow: s.nextNoShow,
      lastAssignmentTick: s.lastAssignmentTick,
    });
  }
  // Pending more assignments.
  const clockDrift = s.depth * noShowDuration;
  return result({
    kind: "Pending",
    considered: tranche,
    nextNoShow: s.nextNoShow,
    // Depth 0 accepts assignments from any tranche (honest validators still wait for theirs).
    maximumBroadcast: s.depth === 0 ? DELAY_TRANCHE_MAX : tranche + (covering + s.uncovered),
    clockDrift,
  });
}

/** `State::advance`, in place (performance: one state per walk, not one per tranche). */
function advance(
  s: State,
  newAssignments: number,
  newNoShows: number,
  nextNoShow: Tick | null,
  lastAssignmentTick: Tick | null,
  noShowValidators: readonly ValidatorIndex[],
): void {
  // When covering no-shows, a non-empty tranche covers ONE assignment, however many it holds.
  const newCovered = s.depth === 0 ? newAssignments : Math.min(newAssignments, 1);
  const coveringLeft = Math.max(0, s.covering - newCovered);
  // At depth 0 we are not covering no-shows, so nothing counts as covered.
  const covered = s.depth === 0 ? 0 : s.covered + newCovered;
  const uncoveredNow = s.uncovered + newNoShows;
  if (coveringLeft === 0) {
    if (uncoveredNow === 0) [s.covering, s.uncovered] = [0, uncoveredNow];
    else [s.depth, s.covering, s.uncovered] = [s.depth + 1, uncoveredNow, 0];
  } else {
    [s.covering, s.uncovered] = [coveringLeft, uncoveredNow];
  }
  s.assignments += newAssignments;
  s.covered = covered;
  if (
    s.noShowValidators.length + noShowValidators.length <
    MAX_RECORDED_NO_SHOW_VALIDATORS_PER_CANDIDATE
  ) {
    for (const v of noShowValidators) s.noShowValidators.push(v);
  }
  s.nextNoShow = minPreferSome(s.nextNoShow, nextNoShow);
  s.lastAssignmentTick = maxOption(s.lastAssignmentTick, lastAssignmentTick);
  s.totalObservedNoShows += newNoShows;
}

const NO_ASSIGNMENTS: readonly (readonly [ValidatorIndex, Tick])[] = [];

/**
 * `filled_tranche_iterator`: the tranches 0, 1, 2, ... forever, each with its assignments from
 * `tranches` (ascending) or none.
 */
export function* filledTrancheIterator(
  tranches: readonly TrancheEntry[],
): Generator<readonly [DelayTranche, readonly (readonly [ValidatorIndex, Tick])[]], never> {
  let next = 0; // index into `tranches` of the first entry not yet yielded
  for (let tranche = 0; ; tranche++) {
    if (next < tranches.length && tranches[next]!.tranche === tranche) {
      yield [tranche, tranches[next]!.assignments];
      next++;
    } else {
      yield [tranche, NO_ASSIGNMENTS];
    }
  }
}

/**
 * `tranches_to_approve` with its no-show counts. `trancheNow` is `tick_now - block_tick`
 * (saturating), `noShowDuration` in ticks, `approvals` the candidate's approvals bitfield.
 */
export function tranchesToApproveResult(
  entry: ApprovalEntryView,
  approvals: ValidatorBitfield,
  trancheNow: DelayTranche,
  blockTick: Tick,
  noShowDuration: Tick,
  neededApprovals: number,
): TranchesToApproveResult {
  const tickNow = trancheNow + blockTick;
  const nValidators = entry.nValidators;
  const tranches = entry.tranches;
  for (let i = 1; i < tranches.length; i++) {
    assert(
      tranches[i - 1]!.tranche < tranches[i]!.tranche,
      "approval entry tranches not ascending",
    );
  }

  const s: State = {
    assignments: 0,
    depth: 0,
    covered: 0,
    covering: neededApprovals,
    uncovered: 0,
    nextNoShow: null,
    lastAssignmentTick: null,
    totalObservedNoShows: 0,
    noShowValidators: [],
  };
  // Every tranche from 0 on, missing ones empty (`filledTrancheIterator`, written out as an index
  // walk for speed); the walk stops by itself (below).
  let next = 0;
  for (let tranche = 0; ; tranche++) {
    let assignments = NO_ASSIGNMENTS;
    if (next < tranches.length && tranches[next]!.tranche === tranche) {
      assignments = tranches[next]!.assignments;
      next++;
    }
    const clockDrift = s.depth * noShowDuration;
    const driftedTickNow = Math.max(0, tickNow - clockDrift);
    const driftedTrancheNow = Math.max(0, driftedTickNow - blockTick);

    // Break once we have taken enough tranches. Tranche 0 is always taken: the answer is the
    // (`Pending`) output of the tranche before, whose state is `s` still.
    if (tranche > driftedTrancheNow) {
      assert(tranche > 0, "tranches_to_approve: tranche 0 is always taken");
      return stateOutput(s, tranche - 1, neededApprovals, nValidators, noShowDuration);
    }

    // Count the valid validator assignments.
    let nAssignments = 0;
    let lastAssignmentTick: Tick | null = null;
    for (const [v, t] of assignments) {
      if (v < nValidators) nAssignments++;
      // The latest tick of ALL the tranche's assignments (the Rust does not filter here).
      lastAssignmentTick = maxOption(lastAssignmentTick, t);
    }

    // Count no-shows: assignments without an approval after a fixed duration.
    const ns = countNoShows(
      assignments,
      approvals,
      clockDrift,
      blockTick,
      noShowDuration,
      driftedTickNow,
    );

    advance(s, nAssignments, ns.noShows, ns.nextNoShow, lastAssignmentTick, ns.noShowValidators);
    // `Exact` and `All` end the walk; a `Pending` matters only as the last result.
    if (outputKind(s, neededApprovals, nValidators) !== "Pending") {
      return stateOutput(s, tranche, neededApprovals, nValidators, noShowDuration);
    }
  }
}

/** `tranches_to_approve(...).required_tranches`. */
export function tranchesToApprove(
  entry: ApprovalEntryView,
  approvals: ValidatorBitfield,
  trancheNow: DelayTranche,
  blockTick: Tick,
  noShowDuration: Tick,
  neededApprovals: number,
): RequiredTranches {
  return tranchesToApproveResult(
    entry,
    approvals,
    trancheNow,
    blockTick,
    noShowDuration,
    neededApprovals,
  ).requiredTranches;
}

/**
 * Whether `check_approval` cannot answer approved at `tickNow` (performance: the caller may skip
 * `tranches_to_approve`): `cannotBeApproved`, or, before any assignment can be a no-show, fewer
 * approvals than the assignments `tranches_to_approve` would require. Sound for a duplicate-free
 * entry whose approvals all come from assigned validators (approval voting's import holds an
 * approval until its validator's assignment arrives): before `blockTick + noShowDuration` no
 * assignment is a no-show (`count_no_shows`: a no-show's deadline is at least that), so the walk
 * stays at depth 0 and answers `Exact` at the first tranche `k <= trancheNow` whose assignments
 * up to it number at least `neededApprovals`, with nothing tolerated missing, else `Pending`
 * (`Unapproved`). `Exact` is approved only if every validator assigned up to `k` approved, so
 * with fewer approvals than those assignments it cannot be; nor `ApprovedOneThird` with
 * `3 * approvals <= n`.
 */
export function cannotBeApprovedYet(
  entry: ApprovalEntryView & { readonly duplicateFree?: boolean },
  approvalCount: number,
  neededApprovals: number,
  tickNow: Tick,
  blockTick: Tick,
  noShowDuration: Tick,
): boolean {
  if (cannotBeApproved(entry, approvalCount, neededApprovals)) return true;
  if (entry.duplicateFree !== true || 3 * approvalCount > entry.nValidators) return false;
  const now = Math.max(tickNow, blockTick);
  if (now >= blockTick + noShowDuration) return false;
  const trancheNow = now - blockTick;
  let assignments = 0;
  for (const t of entry.tranches) {
    if (t.tranche > trancheNow) break;
    assignments += t.assignments.length;
    if (assignments >= neededApprovals) return approvalCount < assignments;
  }
  return true; // `Pending`: not approved
}

/**
 * Whether `check_approval` cannot answer approved, whatever the required tranches, from the
 * approval count alone (performance: the caller may skip `tranches_to_approve`). Sound because
 * `ApprovedOneThird` needs `3 * approvals > n`, and `Approved` needs at least `neededApprovals`:
 * `Exact` takes `assignments >= needed_approvals` before the first no-show deepens the walk, and
 * each later tranche covers at most as many no-shows as it adds assignments, so the approved
 * ones, `n_assigned - tolerated_missing`, are at least `needed_approvals` (each validator counted
 * once: a duplicate-free entry, as approval voting's import keeps it).
 */
export function cannotBeApproved(
  entry: ApprovalEntryView & { readonly duplicateFree?: boolean },
  approvalCount: number,
  neededApprovals: number,
): boolean {
  return (
    entry.duplicateFree === true &&
    approvalCount < neededApprovals &&
    3 * approvalCount <= entry.nValidators
  );
}

/**
 * Whether `should_trigger_assignment` cannot answer yes at `trancheNow` for an untriggered
 * assignment of ours at `ourTranche` (performance: the caller may skip `tranches_to_approve`).
 * Tranche 0 always triggers; `Pending` needs our tranche `<= tranche_now` (less the drift);
 * `Exact` never triggers; `All` needs `assignments + covering + uncovered >= n`, where each of
 * the no-show counts is at most the assignments imported, so `2 * imported >= n`.
 */
export function cannotTrigger(
  ourTranche: DelayTranche,
  trancheNow: DelayTranche,
  assignmentsImported: number,
  nValidators: number,
): boolean {
  return ourTranche > trancheNow && 2 * assignmentsImported < nValidators;
}

/** `check_approval`: is the candidate approved under the entry's block, given `required`? */
export function checkApproval(
  approvals: ValidatorBitfield,
  entry: ApprovalEntryView,
  required: RequiredTranches,
  /** `approvals.count_ones()`, when the caller keeps it (performance; same answer). */
  approvalCount: number = countOnes(approvals),
): Check {
  // Any set of f+1 validators holds an honest one: if one honest node approves, it is approved.
  if (3 * approvalCount > approvals.length) return { kind: "ApprovedOneThird" };
  switch (required.kind) {
    case "Pending":
    case "All":
      return { kind: "Unapproved" };
    case "Exact": {
      // Whether all validators assigned up to `needed`, less the tolerated no-shows, approved.
      let nAssigned = 0;
      let nApproved = 0;
      if (entry.duplicateFree === true) {
        // Each validator once: count the tranches' assignments instead of building the mask.
        for (const e of entry.tranches) {
          if (e.tranche > required.needed) break;
          for (const [v] of e.assignments) {
            assert(v < entry.nValidators, () => `validator ${v} beyond ${entry.nValidators}`);
            nAssigned++;
            if (bitAt(approvals, v) === true) nApproved++;
          }
        }
      } else {
        const assignedMask = assignmentsUpTo(entry, required.needed);
        for (let v = 0; v < assignedMask.length; v++) {
          if (!assignedMask[v]) continue;
          nAssigned++;
          // `assigned_mask &= approvals`: bits beyond the approvals are cleared.
          if (bitAt(approvals, v) === true) nApproved++;
        }
      }
      if (nApproved + required.toleratedMissing >= nAssigned) {
        return {
          kind: "Approved",
          toleratedMissing: required.toleratedMissing,
          lastAssignmentTick: required.lastAssignmentTick,
        };
      }
      return { kind: "Unapproved" };
    }
  }
}

/**
 * `Check::is_approved(max_assignment_tick)`: approved, and (for `Approved`) every counted
 * assignment received at or before `maxAssignmentTick`.
 */
export function isApproved(check: Check, maxAssignmentTick: Tick): boolean {
  switch (check.kind) {
    case "Unapproved":
      return false;
    case "Approved":
      return check.lastAssignmentTick === null || check.lastAssignmentTick <= maxAssignmentTick;
    case "ApprovedOneThird":
      return true;
  }
}

/** `advance_approval_state`'s rule: `is_approved(tick_now.saturating_sub(APPROVAL_DELAY))`. */
export function isApprovedAt(check: Check, tickNow: Tick): boolean {
  return isApproved(check, Math.max(0, tickNow - APPROVAL_DELAY));
}

/** `Check::known_no_shows`. */
export function knownNoShows(check: Check): number {
  return check.kind === "Approved" ? check.toleratedMissing : 0;
}

/**
 * import.rs's insta-approval of a candidate at block import (for low-node testnets, polkadot
 * issue 2411): every candidate when `needed_approvals == 0`, else one whose backing group leaves
 * fewer than `needed_approvals` possible checkers (`n - group size < needed_approvals`).
 */
export function instaApproved(
  neededApprovals: number,
  nValidators: number,
  backingGroupSize: number,
): boolean {
  if (neededApprovals === 0) return true;
  return Math.max(0, nValidators - backingGroupSize) < neededApprovals;
}

/** Our assignment as the trigger rule reads it. */
export interface OurAssignmentState {
  readonly tranche: DelayTranche;
  readonly triggered: boolean;
}

/**
 * `should_trigger_assignment`: at a wakeup, whether to trigger (import and distribute) our
 * assignment and start checking.
 */
export function shouldTriggerAssignment(
  ourAssignment: OurAssignmentState | null,
  approvals: ValidatorBitfield,
  entry: ApprovalEntryView,
  required: RequiredTranches,
  trancheNow: DelayTranche,
): boolean {
  if (ourAssignment === null) return false;
  if (ourAssignment.triggered) return false;
  if (ourAssignment.tranche === 0) return true;
  switch (required.kind) {
    case "All":
      // When all are required, we are just waiting for the first 1/3+.
      return !isApproved(checkApproval(approvals, entry, { kind: "All" }), Number.MAX_SAFE_INTEGER);
    case "Pending": {
      const driftedTrancheNow = Math.max(0, trancheNow - required.clockDrift);
      return (
        ourAssignment.tranche <= required.maximumBroadcast &&
        ourAssignment.tranche <= driftedTrancheNow
      );
    }
    case "Exact":
      // No new assignments are needed at the moment.
      return false;
  }
}

/**
 * `schedule_wakeup_action`: the tick of the next wakeup for this candidate under this block, or
 * null. `entryApproved` is `approval_entry.is_approved()`.
 */
export function nextWakeup(
  entry: ApprovalEntryView,
  ourAssignment: OurAssignmentState | null,
  entryApproved: boolean,
  blockTick: Tick,
  tickNow: Tick,
  required: RequiredTranches,
): Tick | null {
  if (entryApproved) return null;
  switch (required.kind) {
    case "All":
      return null;
    case "Exact": {
      // The earlier of the next no-show and the last assignment tick + APPROVAL_DELAY, the
      // latter only if it is after now.
      const delayed =
        required.lastAssignmentTick === null
          ? null
          : required.lastAssignmentTick + APPROVAL_DELAY > tickNow
            ? required.lastAssignmentTick + APPROVAL_DELAY
            : null;
      return minPreferSome(delayed, required.nextNoShow);
    }
    case "Pending": {
      // The next non-empty tranche after `considered`, our untriggered assignment's included.
      const nextAnnounced =
        entry.tranches.find((t) => t.tranche > required.considered)?.tranche ?? null;
      const ourUntriggered =
        ourAssignment !== null &&
        !ourAssignment.triggered &&
        ourAssignment.tranche > required.considered
          ? ourAssignment.tranche
          : null;
      const nextTranche = minPreferSome(nextAnnounced, ourUntriggered);
      // Apply the clock drift to it.
      const nextNonEmptyTranche =
        nextTranche === null ? null : nextTranche + blockTick + required.clockDrift;
      return minPreferSome(nextNonEmptyTranche, required.nextNoShow);
    }
  }
}

/**
 * `compute_delayed_approval_sending_tick`: the latest tick at which our approval of a checked
 * candidate is signed. `ourTranche` is our assignment's tranche (0 without one:
 * `unwrap_or_default`).
 */
export function signNoLaterThan(
  tickNow: Tick,
  blockTick: Tick,
  ourTranche: DelayTranche,
  noShowDuration: Tick,
): Tick {
  const assignmentTriggeredTick = blockTick + ourTranche;
  return Math.min(
    tickNow + MAX_APPROVAL_COALESCE_WAIT_TICKS,
    // Past half the no-show time, sign at once: do not cause a no-show.
    assignmentTriggeredTick + Math.floor(noShowDuration / 2),
  );
}

/** `CandidateSigningContext`: a checked candidate waiting for our signature. */
export interface CandidateSigningContext {
  readonly candidateHash: CandidateHash;
  readonly signNoLaterThanTick: Tick;
}

/**
 * `BlockEntry::get_candidates_that_need_signature`: the candidates to sign now (all the block's
 * pending ones, by ascending candidate index) when the earliest deadline has come or
 * `maxApprovalCoalesceCount` are pending, and the earliest deadline (the timer to arm otherwise).
 */
export function getCandidatesThatNeedSignature(
  pending: ReadonlyMap<number, CandidateSigningContext>,
  tickNow: Tick,
  maxApprovalCoalesceCount: number,
): {
  readonly toSign: {
    readonly candidateHashes: readonly CandidateHash[];
    readonly candidateIndices: readonly number[];
  } | null;
  readonly signNoLaterThanTick: Tick | null;
} {
  let earliest: Tick | null = null;
  for (const c of pending.values()) earliest = minPreferSome(earliest, c.signNoLaterThanTick);
  if (earliest === null) return { toSign: null, signNoLaterThanTick: null };
  if (earliest <= tickNow || pending.size >= maxApprovalCoalesceCount) {
    // BTreeMap order: ascending candidate index.
    const candidateIndices = [...pending.keys()].sort((a, b) => a - b);
    return {
      toSign: {
        candidateHashes: candidateIndices.map((i) => pending.get(i)!.candidateHash),
        candidateIndices,
      },
      signNoLaterThanTick: earliest,
    };
  }
  // Others may still queue in: wake up when the longest-waiting candidate must be signed.
  return { toSign: null, signNoLaterThanTick: earliest };
}
