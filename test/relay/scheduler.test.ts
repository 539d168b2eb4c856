import { describe, expect, it } from "vitest";
import type { HostConfiguration } from "../../src/config/host-configuration.ts";
import { lastRotationAt } from "../../src/primitives/group-rotation.ts";
import {
  advanceClaimQueue,
  availabilityTimeoutCheckRequired,
  availabilityTimeoutPredicate,
  bulkAssignmentProvider,
  claimQueue,
  computeValidatorGroups,
  eligibleParas,
  groupAssignedToCore,
  groupRotationInfo,
  newSchedulerState,
  nextUpOnAvailable,
  type SchedulerState,
  scheduledParas,
  schedulerOnNewSession,
} from "../../src/relay/scheduler.ts";
import { bulk, config, MockAssigner } from "./helpers.ts";

// Ported from polkadot/runtime/parachains/src/scheduler/tests.rs (claim-queue generation).
const defaultConfig = (s: Partial<HostConfiguration["schedulerParams"]> = {}): HostConfiguration =>
  config(
    { minimumValidationUpgradeDelay: 6 },
    {
      groupRotationFrequency: 10,
      parasAvailabilityPeriod: 3,
      lookahead: 2,
      numCores: 3,
      maxAvailabilityTimeouts: 1,
      ...s,
    },
  );

interface Session {
  readonly config: HostConfiguration;
  readonly prevConfig?: HostConfiguration;
  readonly validators: number;
}

/** The tests' `run_to_block`: session changes at the end of a block, then `advance_claim_queue`. */
class Env {
  now = 0;
  readonly sched: SchedulerState = newSchedulerState();
  readonly assigner = new MockAssigner();
  constructor(public cfg: HostConfiguration) {}

  runToBlock(to: number, newSession: (b: number) => Session | null = () => null): void {
    while (this.now < to) {
      const b = this.now;
      const n = newSession(b + 1);
      if (n !== null) {
        this.cfg = n.config;
        // `prev_config` defaults to `HostConfiguration::default()` (0 cores) in the Rust tests.
        const prev = n.prevConfig ?? config();
        schedulerOnNewSession(this.sched, n.validators, prev, n.config, b, this.assigner);
      }
      this.now = b + 1;
      advanceClaimQueue(this.sched, this.cfg, this.assigner, new Set());
    }
  }

  cq(core: number): number[] | undefined {
    return this.sched.claimQueue.get(core)?.map((a) => a.paraId);
  }

  claimQueueLen(): number {
    let n = 0;
    for (const q of this.sched.claimQueue.values()) n += q.length;
    return n;
  }
}

const at = (block: number, s: Session) => (b: number) => (b === block ? s : null);

describe("scheduler: validator groups", () => {
  it("session_change_shuffles_validators", () => {
    const cfg = defaultConfig({ numCores: 5 });
    const env = new Env(cfg);
    expect(env.sched.validatorGroups).toEqual([]);
    env.runToBlock(1, at(1, { config: cfg, validators: 7 }));
    const groups = env.sched.validatorGroups;
    expect(groups.length).toBe(5);
    // first two groups have the overflow.
    expect(groups.map((g) => g.length)).toEqual([2, 2, 1, 1, 1]);
    expect(groups).toEqual([[0, 1], [2, 3], [4], [5], [6]]);
  });

  it("session_change_takes_only_max_per_core", () => {
    const cfg = defaultConfig({ numCores: 2, maxValidatorsPerCore: 1 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 7 }));
    // Every validator gets its own group, even though there are 2 cores.
    expect(env.sched.validatorGroups.length).toBe(7);
    expect(env.sched.validatorGroups.every((g) => g.length === 1)).toBe(true);
  });

  it("no cores or no validators: no groups", () => {
    expect(computeValidatorGroups(0, defaultConfig())).toEqual([]);
    expect(computeValidatorGroups(5, defaultConfig({ numCores: 0 }))).toEqual([]);
    expect(
      computeValidatorGroups(5, defaultConfig({ numCores: 0, maxValidatorsPerCore: 0 })),
    ).toEqual([]);
    expect(
      computeValidatorGroups(5, defaultConfig({ numCores: 0, maxValidatorsPerCore: 2 })),
    ).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it("session start is the block after the session change", () => {
    const cfg = defaultConfig();
    const env = new Env(cfg);
    env.runToBlock(5, at(4, { config: cfg, validators: 3 }));
    expect(env.sched.sessionStartBlock).toBe(4);
  });

  it("schedule_rotates_groups", () => {
    const cfg = defaultConfig({ lookahead: 1, numCores: 2 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 2 }));
    expect(env.sched.sessionStartBlock).toBe(1);
    const assertGroupsRotated = (rotations: number, now: number) => {
      expect(groupAssignedToCore(env.sched, cfg, 0, now)).toBe((0 + rotations) % 2);
      expect(groupAssignedToCore(env.sched, cfg, 1, now)).toBe((1 + rotations) % 2);
    };
    env.runToBlock(2);
    assertGroupsRotated(0, 2);
    // one block before first rotation.
    env.runToBlock(10);
    assertGroupsRotated(0, 10);
    // first rotation.
    env.runToBlock(11);
    assertGroupsRotated(1, 11);
    // one block before second rotation.
    env.runToBlock(20);
    assertGroupsRotated(1, 20);
    // second rotation.
    env.runToBlock(21);
    assertGroupsRotated(2, 21);
  });

  it("group_assigned_to_core is None before the session start or for an unknown core", () => {
    const cfg = defaultConfig({ numCores: 2 });
    const env = new Env(cfg);
    env.runToBlock(5, at(5, { config: cfg, validators: 2 }));
    expect(groupAssignedToCore(env.sched, cfg, 0, 4)).toBeNull();
    expect(groupAssignedToCore(env.sched, cfg, 2, 6)).toBeNull();
    expect(groupAssignedToCore(env.sched, cfg, 1, 5)).toBe(1);
  });
});

describe("scheduler: claim queue", () => {
  it("advance_claim_queue_doubles_assignment_only_if_empty", () => {
    const cfg = defaultConfig({ lookahead: 3, numCores: 2 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 2 }));
    env.assigner.add(bulk(3));
    env.assigner.add(bulk(4));
    env.assigner.add(bulk(5));
    env.runToBlock(2);
    expect(env.claimQueueLen()).toBe(5);
    // The first assignment is doubled for every core that used to be empty.
    expect(env.cq(0)).toEqual([3, 3, 4]);
    expect(env.cq(1)).toEqual([5, 5]);
  });

  it("advance_claim_queue_no_entry_if_empty", () => {
    const cfg = defaultConfig({ lookahead: 3, numCores: 2 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 2 }));
    env.assigner.add(bulk(3));
    env.runToBlock(3);
    expect(env.cq(0)).toEqual([3]);
    // Core 1 exists but has no assignment: it is not in the claim queue at all.
    expect(env.sched.claimQueue.has(1)).toBe(false);
  });

  it("advance_claim_queue_except_for", () => {
    const cfg = defaultConfig({ lookahead: 1, numCores: 3 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 3 }));
    env.assigner.add(bulk(1));
    env.assigner.add(bulk(3));
    env.runToBlock(2);
    advanceClaimQueue(env.sched, env.cfg, env.assigner, new Set());
    // Queues of all cores should be empty
    expect(env.claimQueueLen()).toBe(0);
    for (const p of [1, 3, 2, 4, 5]) env.assigner.add(bulk(p));
    env.runToBlock(3);
    expect(scheduledParas(env.sched)).toEqual([
      [0, 1],
      [1, 3],
      [2, 2],
    ]);
    // now note that cores 0 and 1 were freed.
    advanceClaimQueue(env.sched, env.cfg, env.assigner, new Set([2]));
    expect(scheduledParas(env.sched)).toEqual([
      [0, 4],
      [1, 5],
      [2, 2],
    ]);
    // Popped fronts are reported as processed to the provider.
    expect(env.assigner.processed.map((a) => a.paraId)).toEqual([1, 3, 1, 3]);
  });

  it("next_up_on_available_uses_next_scheduled_or_none", () => {
    const cfg = defaultConfig({ numCores: 1 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 2 }));
    env.assigner.add(bulk(1));
    env.runToBlock(2);
    // Two assignments for A on core 0, because the claim queue used to be empty.
    expect(env.claimQueueLen()).toBe(2);
    expect(nextUpOnAvailable(env.sched, 1)).toBeNull();
    expect(nextUpOnAvailable(env.sched, 0)).toBe(1);
    advanceClaimQueue(env.sched, env.cfg, env.assigner, new Set());
    expect(nextUpOnAvailable(env.sched, 0)).toBe(1);
    advanceClaimQueue(env.sched, env.cfg, env.assigner, new Set());
    expect(nextUpOnAvailable(env.sched, 0)).toBeNull();
  });

  it("session_change_increasing_number_of_cores", () => {
    const oldConfig = defaultConfig({ numCores: 2 });
    const env = new Env(oldConfig);
    env.runToBlock(1, at(1, { config: oldConfig, validators: 2 }));
    env.assigner.add(bulk(3));
    env.assigner.add(bulk(4));
    env.runToBlock(2);
    expect(env.claimQueueLen()).toBe(4);
    expect(env.cq(0)).toEqual([3, 3]);
    expect(env.cq(1)).toEqual([4, 4]);
    const newConfig = defaultConfig({ numCores: 4 });
    env.assigner.add(bulk(4));
    env.runToBlock(3, at(3, { config: newConfig, prevConfig: oldConfig, validators: 4 }));
    expect(env.claimQueueLen()).toBe(3);
    expect(env.cq(0)).toEqual([3]);
    expect(env.cq(1)).toEqual([4]);
    expect(env.cq(2)).toEqual([4]);
  });

  it("session_change_decreasing_number_of_cores", () => {
    const oldConfig = defaultConfig({ numCores: 3 });
    const env = new Env(oldConfig);
    env.runToBlock(1, at(1, { config: oldConfig, validators: 2 }));
    env.sched.claimQueue = new Map([
      [0, [bulk(3)]],
      // Leave a hole for core 1.
      [2, [bulk(4), bulk(4)]],
    ]);
    const newConfig = defaultConfig({ numCores: 1 });
    // Assignment A had its shot already and is dropped for good; B's are pushed back.
    env.runToBlock(3, at(3, { config: newConfig, prevConfig: oldConfig, validators: 1 }));
    expect(env.claimQueueLen()).toBe(1);
    expect(env.cq(0)).toEqual([4]);
    advanceClaimQueue(env.sched, env.cfg, env.assigner, new Set());
    expect(env.claimQueueLen()).toBe(0);
  });

  it("session_change_increasing_lookahead", () => {
    const oldConfig = defaultConfig({ numCores: 2, lookahead: 2 });
    const env = new Env(oldConfig);
    env.runToBlock(1, at(1, { config: oldConfig, validators: 2 }));
    for (const p of [3, 3, 3, 4, 4, 4]) env.assigner.add(bulk(p));
    env.runToBlock(2);
    expect(env.claimQueueLen()).toBe(4);
    expect(env.cq(0)).toEqual([3, 3]);
    expect(env.cq(1)).toEqual([3, 3]);
    const newConfig = defaultConfig({ numCores: 2, lookahead: 4 });
    env.runToBlock(3, at(3, { config: newConfig, prevConfig: oldConfig, validators: 2 }));
    expect(env.claimQueueLen()).toBe(6);
    expect(env.cq(0)).toEqual([3, 3, 4]);
    expect(env.cq(1)).toEqual([3, 4, 4]);
  });

  it("lookahead 1 never doubles an assignment", () => {
    const cfg = defaultConfig({ numCores: 1, lookahead: 1 });
    const env = new Env(cfg);
    env.runToBlock(1, at(1, { config: cfg, validators: 1 }));
    env.assigner.add(bulk(7));
    env.assigner.add(bulk(8));
    env.runToBlock(2);
    expect(env.cq(0)).toEqual([7]);
  });

  it("claim_queue() shows the first lookahead entries; eligible_paras skips occupied cores", () => {
    const cfg = defaultConfig({ numCores: 3, lookahead: 3 });
    const sched = newSchedulerState();
    const provider = bulkAssignmentProvider(
      new Map([
        [0, 100],
        [2, 200],
      ]),
    );
    schedulerOnNewSession(sched, 6, config(), cfg, 0, provider);
    expect(claimQueue(sched, cfg)).toEqual(
      new Map([
        [0, [100, 100, 100]],
        [2, [200, 200, 200]],
      ]),
    );
    expect(
      claimQueue(sched, { ...cfg, schedulerParams: { ...cfg.schedulerParams, lookahead: 2 } }),
    ).toEqual(
      new Map([
        [0, [100, 100]],
        [2, [200, 200]],
      ]),
    );
    expect(eligibleParas(sched, new Set())).toEqual([
      [0, 100],
      [2, 200],
    ]);
    expect(eligibleParas(sched, new Set([0]))).toEqual([[2, 200]]);
    // Occupied cores keep their claim when the queue advances.
    advanceClaimQueue(sched, cfg, provider, new Set([0]));
    expect(sched.claimQueue.get(0)!.length).toBe(3);
    expect(claimQueue(sched, cfg).get(2)).toEqual([200, 200, 200]);
  });

  it("reads the claim queue in ascending core order whatever the insertion order", () => {
    const sched = newSchedulerState();
    sched.claimQueue.set(5, [bulk(50)]);
    sched.claimQueue.set(1, [bulk(10)]);
    expect([...claimQueue(sched, defaultConfig()).keys()]).toEqual([1, 5]);
    expect(scheduledParas(sched)).toEqual([
      [1, 10],
      [5, 50],
    ]);
  });
});

describe("scheduler: availability timeouts", () => {
  it("availability_predicate_works", () => {
    const cfg = defaultConfig();
    const { groupRotationFrequency, parasAvailabilityPeriod } = cfg.schedulerParams;
    const env = new Env(cfg);
    env.runToBlock(1 + parasAvailabilityPeriod);
    expect(availabilityTimeoutCheckRequired(env.sched, cfg, env.now)).toBe(false);
    env.runToBlock(1 + groupRotationFrequency);
    const now = env.now;
    expect(availabilityTimeoutCheckRequired(env.sched, cfg, now)).toBe(true);
    const pred = availabilityTimeoutPredicate(env.sched, cfg, now);
    const lastRotation = lastRotationAt(groupRotationInfo(env.sched, cfg, now));
    const wouldBeTimedOut = now - parasAvailabilityPeriod;
    const shouldNotBeTimedOut = lastRotation;
    expect(pred(wouldBeTimedOut).timedOut).toBe(true);
    expect(pred(shouldNotBeTimedOut).timedOut).toBe(false);
    expect(pred(now).timedOut).toBe(false);
    // check the threshold is exact.
    expect(pred(wouldBeTimedOut + 1).timedOut).toBe(false);
  });

  it("outside the window nothing times out before the next rotation + period", () => {
    const cfg = defaultConfig();
    const env = new Env(cfg);
    env.runToBlock(15);
    expect(availabilityTimeoutCheckRequired(env.sched, cfg, 15)).toBe(false);
    const pred = availabilityTimeoutPredicate(env.sched, cfg, 15);
    expect(pred(0)).toEqual({ timedOut: false, liveUntil: 23 });
  });
});
