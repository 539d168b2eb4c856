/**
 * The scheduler: validator groups per session, group-to-core rotation, the claim queue, and the
 * availability-timeout rule.
 *
 * - Groups (new session): `nCores = max(numCores, nValidators / maxValidatorsPerCore)`; the
 *   (already shuffled) active validators are split into `nCores` contiguous groups, the first
 *   `nValidators % nCores` groups one member larger. `sessionStartBlock = now + 1`.
 * - Claim queue: per core up to `max(lookahead, 1)` assignments popped from the assignment provider;
 *   an EMPTY queue with lookahead > 1 gets its first assignment pushed twice. `advanceClaimQueue`
 *   pops the front of every core not excepted (occupied cores keep their claim) and refills.
 * - Timeouts are only evaluated in the first `parasAvailabilityPeriod` blocks after a rotation.
 *
 * State style: plain data mutated in place (see shared.ts). The assignment provider is passed in
 * (an interface: bulk coretime with a fixed para per core is `bulkAssignmentProvider`); the claim
 * queue's cores are kept in a Map and always read in ascending core order (Rust's BTreeMap).
 *
 * Ref: polkadot/runtime/parachains/src/scheduler.rs (claim-queue generation with
 *      `fill_claim_queue` / `advance_claim_queue(except_for)`), scheduler/common.rs,
 *      runtime_api_impl (claim_queue).
 */

import type { HostConfiguration } from "../config/host-configuration.ts";
import { ensure } from "../lib/assert.ts";
import type { ClaimQueueSnapshot } from "../primitives/claim-queue.ts";
import type {
  BlockNumber,
  CoreIndex,
  GroupIndex,
  ParaId,
  ValidatorIndex,
} from "../primitives/codecs.ts";
import {
  type GroupRotationInfo,
  lastRotationAt,
  nextRotationAt,
} from "../primitives/group-rotation.ts";

/** `scheduler::common::Assignment`. */
export type Assignment =
  | { readonly kind: "Bulk"; readonly paraId: ParaId }
  | { readonly kind: "Pool"; readonly paraId: ParaId; readonly coreIndex: CoreIndex };

export function assignmentParaId(a: Assignment): ParaId {
  return a.paraId;
}

/** `AssignmentProvider`: where the claim queue's assignments come from (coretime). */
export interface AssignmentProvider {
  /** The next assignment for the core, or null if there is none. */
  popAssignmentForCore(core: CoreIndex): Assignment | null;
  /** An assignment left the claim queue's front (it had its chance). */
  reportProcessed(assignment: Assignment): void;
  /** Give back an assignment that was popped but not served (claim queue shrinking). */
  pushBackAssignment(assignment: Assignment): void;
  /** The assignment was pushed twice into an empty claim queue. */
  assignmentDuplicated(assignment: Assignment): void;
}

/** Bulk coretime with one para assigned to each core for the whole region (stateless). */
export function bulkAssignmentProvider(
  paraByCore: ReadonlyMap<CoreIndex, ParaId>,
): AssignmentProvider {
  return {
    popAssignmentForCore(core) {
      const paraId = paraByCore.get(core);
      return paraId === undefined ? null : { kind: "Bulk", paraId };
    },
    reportProcessed() {},
    pushBackAssignment() {},
    assignmentDuplicated() {},
  };
}

export interface SchedulerState {
  /** One group per core; indices into the active validators. */
  validatorGroups: ValidatorIndex[][];
  /** The first block of the session (the block after the session change was signalled). */
  sessionStartBlock: BlockNumber;
  /** `ClaimQueue`: per core, the assignments in order; cores without any are absent. */
  claimQueue: Map<CoreIndex, Assignment[]>;
}

export function newSchedulerState(): SchedulerState {
  return { validatorGroups: [], sessionStartBlock: 0, claimQueue: new Map() };
}

/** The cores of the claim queue in ascending order (BTreeMap iteration order). */
function claimQueueCores(sched: SchedulerState): CoreIndex[] {
  return [...sched.claimQueue.keys()].sort((a, b) => a - b);
}

/** The split of `nValidators` active validators into groups (`initializer_on_new_session`). */
export function computeValidatorGroups(
  nValidators: number,
  config: HostConfiguration,
): ValidatorIndex[][] {
  const sp = config.schedulerParams;
  const perCore = sp.maxValidatorsPerCore;
  const nCores = Math.max(
    sp.numCores,
    perCore !== null && perCore !== 0 ? Math.floor(nValidators / perCore) : 0,
  );
  if (nCores === 0 || nValidators === 0) return [];
  const groupBaseSize = Math.floor(nValidators / nCores);
  const nLargerGroups = nValidators % nCores;
  const groups: ValidatorIndex[][] = [];
  for (let i = 0; i < nLargerGroups; i++) {
    const offset = (groupBaseSize + 1) * i;
    groups.push(Array.from({ length: groupBaseSize + 1 }, (_, j) => offset + j));
  }
  for (let i = 0; i < nCores - nLargerGroups; i++) {
    const offset = nLargerGroups * (groupBaseSize + 1) + i * groupBaseSize;
    groups.push(Array.from({ length: groupBaseSize }, (_, j) => offset + j));
  }
  return groups;
}

/**
 * `initializer_on_new_session`: new groups, resize the claim queue to the new core count (pushing
 * dropped assignments back), fill every core, and `sessionStartBlock = now + 1` (the session change
 * is enacted at the end of block `now`).
 */
export function schedulerOnNewSession(
  sched: SchedulerState,
  nValidators: number,
  prevConfig: HostConfiguration,
  newConfig: HostConfiguration,
  now: BlockNumber,
  provider: AssignmentProvider,
): void {
  sched.validatorGroups = computeValidatorGroups(nValidators, newConfig);
  maybeResizeClaimQueue(
    sched,
    prevConfig.schedulerParams.numCores,
    newConfig.schedulerParams.numCores,
    provider,
  );
  populateClaimQueueAfterSessionChange(sched, newConfig, provider);
  sched.sessionStartBlock = now + 1;
}

/** `group_validators`: the validators of a group, or null if the index is out of range. */
export function groupValidators(sched: SchedulerState, group: GroupIndex): ValidatorIndex[] | null {
  return sched.validatorGroups[group] ?? null;
}

/** `num_availability_cores`: the number of validator groups. */
export function numAvailabilityCores(sched: SchedulerState): number {
  return sched.validatorGroups.length;
}

/**
 * `group_assigned_to_core`: the group serving `core` at block `at`; null before the session start
 * or for an unknown core.
 */
export function groupAssignedToCore(
  sched: SchedulerState,
  config: HostConfiguration,
  core: CoreIndex,
  at: BlockNumber,
): GroupIndex | null {
  if (at < sched.sessionStartBlock) return null;
  const nGroups = sched.validatorGroups.length;
  if (core >= nGroups) return null;
  const frequency = config.schedulerParams.groupRotationFrequency;
  ensure(frequency !== 0, "attempt to divide by zero");
  const rotations = Math.floor((at - sched.sessionStartBlock) / frequency);
  return (core + rotations) % nGroups;
}

/** `group_rotation_info(now)`. */
export function groupRotationInfo(
  sched: SchedulerState,
  config: HostConfiguration,
  now: BlockNumber,
): GroupRotationInfo {
  return {
    sessionStartBlock: sched.sessionStartBlock,
    groupRotationFrequency: config.schedulerParams.groupRotationFrequency,
    now,
  };
}

/** `AvailabilityTimeoutStatus`. */
export interface AvailabilityTimeoutStatus {
  /** The core times out at this block (it is freed in it). */
  readonly timedOut: boolean;
  /** The block the core times out at. */
  readonly liveUntil: BlockNumber;
}

/**
 * `availability_timeout_check_required` at block `now`: true only in the first
 * `parasAvailabilityPeriod` blocks after a group rotation (evaluated for `now + 1`).
 */
export function availabilityTimeoutCheckRequired(
  sched: SchedulerState,
  config: HostConfiguration,
  now: BlockNumber,
): boolean {
  const next = now + 1;
  const info = groupRotationInfo(sched, config, next);
  const currentWindow = lastRotationAt(info) + config.schedulerParams.parasAvailabilityPeriod;
  return next < currentWindow;
}

/**
 * `availability_timeout_predicate` at block `now`: maps a candidate's `backedInNumber` to its
 * timeout status. Within a rotation nothing times out; a candidate backed before a rotation gets
 * `parasAvailabilityPeriod` blocks into the new one.
 */
export function availabilityTimeoutPredicate(
  sched: SchedulerState,
  config: HostConfiguration,
  now: BlockNumber,
): (pendingSince: BlockNumber) => AvailabilityTimeoutStatus {
  const period = config.schedulerParams.parasAvailabilityPeriod;
  const nextRotation = nextRotationAt(groupRotationInfo(sched, config, now));
  const timesOut = availabilityTimeoutCheckRequired(sched, config, now);
  return (pendingSince) => {
    const timeOutAt = timesOut ? pendingSince + period : nextRotation + period;
    return { timedOut: timeOutAt <= now, liveUntil: timeOutAt };
  };
}

/** `fill_claim_queue`: top the core's queue up to `nLookahead`, doubling into an empty queue. */
export function fillClaimQueue(
  sched: SchedulerState,
  provider: AssignmentProvider,
  core: CoreIndex,
  nLookahead: number,
): void {
  const cq = sched.claimQueue.get(core) ?? [];
  let used = cq.length;
  // An empty queue gets its first assignment twice, so the para can already build for the next
  // block instead of falling back to synchronous backing (only meaningful with lookahead > 1).
  if (used === 0 && nLookahead > 1) {
    const assignment = provider.popAssignmentForCore(core);
    if (assignment !== null) {
      provider.assignmentDuplicated(assignment);
      cq.push(assignment, assignment);
      used += 2;
    }
  }
  for (; used < nLookahead; used++) {
    const assignment = provider.popAssignmentForCore(core);
    if (assignment === null) break;
    cq.push(assignment);
  }
  if (cq.length === 0) sched.claimQueue.delete(core);
  else sched.claimQueue.set(core, cq);
}

/**
 * `advance_claim_queue(except_for)`: for every assigner core not in `exceptFor`, pop the front
 * (reported as processed) and refill.
 */
export function advanceClaimQueue(
  sched: SchedulerState,
  config: HostConfiguration,
  provider: AssignmentProvider,
  exceptFor: ReadonlySet<CoreIndex>,
): void {
  const nLookahead = Math.max(config.schedulerParams.lookahead, 1);
  for (let core = 0; core < config.schedulerParams.numCores; core++) {
    if (exceptFor.has(core)) continue;
    const dropped = sched.claimQueue.get(core)?.shift();
    if (dropped !== undefined) provider.reportProcessed(dropped);
    fillClaimQueue(sched, provider, core, nLookahead);
  }
}

/** `maybe_resize_claim_queue`: drop the queues of removed cores, giving assignments back. */
export function maybeResizeClaimQueue(
  sched: SchedulerState,
  oldCoreCount: number,
  newCoreCount: number,
  provider: AssignmentProvider,
): void {
  if (newCoreCount >= oldCoreCount) return;
  for (const core of claimQueueCores(sched)) {
    if (core < newCoreCount || core >= oldCoreCount) continue;
    const dropped = sched.claimQueue.get(core)!;
    sched.claimQueue.delete(core);
    // In reverse, so that popping again yields the same order.
    for (let i = dropped.length - 1; i >= 0; i--) provider.pushBackAssignment(dropped[i]!);
  }
}

/** `populate_claim_queue_after_session_change`: fill every core of the new configuration. */
export function populateClaimQueueAfterSessionChange(
  sched: SchedulerState,
  config: HostConfiguration,
  provider: AssignmentProvider,
): void {
  const nLookahead = Math.max(config.schedulerParams.lookahead, 1);
  for (let core = 0; core < config.schedulerParams.numCores; core++) {
    fillClaimQueue(sched, provider, core, nLookahead);
  }
}

/** `ClaimQueue::get()` as para ids: per core (ascending), every entry of its queue. */
export function claimQueueParas(sched: SchedulerState): ClaimQueueSnapshot {
  const out = new Map<CoreIndex, ParaId[]>();
  for (const core of claimQueueCores(sched)) {
    out.set(core, sched.claimQueue.get(core)!.map(assignmentParaId));
  }
  return out;
}

/**
 * The `claim_queue()` runtime API: per core (ascending), the para ids of the first
 * `max(lookahead, 1)` entries. Position 0 is backable in the next block.
 */
export function claimQueue(sched: SchedulerState, config: HostConfiguration): ClaimQueueSnapshot {
  const n = Math.max(config.schedulerParams.lookahead, 1);
  const out = new Map<CoreIndex, ParaId[]>();
  for (const [core, paras] of claimQueueParas(sched)) out.set(core, paras.slice(0, n));
  return out;
}

/** `scheduled_paras`: `(core, para)` at the front of every non-empty queue, ascending core. */
export function scheduledParas(sched: SchedulerState): [CoreIndex, ParaId][] {
  const out: [CoreIndex, ParaId][] = [];
  for (const core of claimQueueCores(sched)) {
    const front = sched.claimQueue.get(core)![0];
    if (front !== undefined) out.push([core, front.paraId]);
  }
  return out;
}

/** `eligible_paras`: the scheduled paras of cores that are not occupied. */
export function eligibleParas(
  sched: SchedulerState,
  occupied: ReadonlySet<CoreIndex>,
): [CoreIndex, ParaId][] {
  return scheduledParas(sched).filter(([core]) => !occupied.has(core));
}

/** `next_up_on_available`: the para at the front of the core's claim queue, if any. */
export function nextUpOnAvailable(sched: SchedulerState, core: CoreIndex): ParaId | null {
  return sched.claimQueue.get(core)?.[0]?.paraId ?? null;
}
