/**
 * The `crash` and `collator-offline` faults (SCENARIO.md "Faults and adversaries"): which nodes
 * are down when, and the transitions the world applies at slot starts.
 *
 * A fault active in relay slots `at..until - 1` (`until = at + for`) holds its nodes down in
 * virtual time `[at x slotUs, until x slotUs)`: slot N starts at N x slotUs. Several windows of
 * one node are united; the node goes down at the first slot start a window covers and comes back
 * at the first one none does.
 *
 * - `crash`: the validator neither sends nor receives (direct messages, relay blocks, the lazy
 *   boards' bitfields, announcements, chunk fetches, approvals) nor authors its slots nor votes
 *   for finality. The world stops its node at the crash (every later callback of that
 *   incarnation does nothing) and starts a fresh one at the restart (`ValidatorRestart`).
 * - `collator-offline`: the named collators of the para are stopped (no authoring, no messages
 *   either way) and started again with their database (the para block tree) at the end.
 *
 * What survives a validator restart (polkadot-sdk, stated in docs/simulator.md "Faults"): the
 * availability store (a parity-db column on disk, `av-store`) unless `loseStore`; everything
 * else is rebuilt: candidate backing, prospective parachains, statement, bitfield and
 * availability distribution, the collator protocol and the provisioner keep their state in
 * memory, and the node imports the relay chain's best block on start (its view begins there).
 * Simplified: the approval-voting database is on disk too, but the restarted node's approval
 * voting starts empty (it checks the candidates of blocks it imports from then on; the
 * blocks it missed it never approves, which only its own finality vote sees, and a crashed
 * validator set stays within the fault budget).
 *
 * Invariants: it only answers "is this node down at t" from the scenario's faults and never
 * reads what the run did (observes nothing, steers only through the world's gating); runs
 * without these faults never call it (the world keeps their paths unchanged, golden traces).
 *
 * Ref: polkadot/node/core/av-store/src/lib.rs (the store's columns, on disk),
 *      polkadot/node/core/approval-voting/src/approval_db (on disk),
 *      polkadot/node/service/src/lib.rs (the subsystems a node starts).
 */

import type { ValidatorEnv } from "../actors/env.ts";
import type { ActorId } from "../actors/protocol.ts";
import type { AppliedFault } from "../config/faults.ts";

/**
 * A validator's env for one incarnation of its node: once `alive()` is false (the node crashed),
 * its timers and CPU work never complete and it sends and publishes nothing, so the stopped node
 * does nothing more (a restart builds a new node over a new env).
 */
export function gateValidatorEnv(env: ValidatorEnv, alive: () => boolean): ValidatorEnv {
  /** `f`, doing nothing once this incarnation is down. */
  const whileAlive =
    <A extends unknown[]>(f: (...args: A) => void) =>
    (...args: A): void => {
      if (alive()) f(...args);
    };
  const { bitfieldGossip, announcementGossip, approvalVoting, multicast } = env;
  return {
    ...env,
    after: (delayUs, fn) => env.after(delayUs, whileAlive(fn)),
    cpu: (pool, costUs, done) => env.cpu(pool, costUs, whileAlive(done)),
    send: whileAlive(env.send),
    ...(multicast === undefined ? {} : { multicast: whileAlive(multicast) }),
    ...(bitfieldGossip === undefined
      ? {}
      : { bitfieldGossip: { ...bitfieldGossip, publish: whileAlive(bitfieldGossip.publish) } }),
    ...(announcementGossip === undefined
      ? {}
      : {
          announcementGossip: {
            ...announcementGossip,
            publish: whileAlive(announcementGossip.publish),
          },
        }),
    ...(approvalVoting === undefined
      ? {}
      : {
          approvalVoting: {
            ...approvalVoting,
            gossip: {
              ...approvalVoting.gossip,
              publish: whileAlive(approvalVoting.gossip.publish),
            },
          },
        }),
  };
}

/** A validator restart at a slot start. */
export interface ValidatorRestart {
  readonly validator: number;
  /** Whether the availability store is lost (any window ending here said `loseStore`). */
  readonly loseStore: boolean;
}

/** What changes at a slot start. */
export interface SlotTransitions {
  readonly crashed: readonly number[];
  readonly restarted: readonly ValidatorRestart[];
  readonly collatorsOffline: readonly ActorId[];
  readonly collatorsBack: readonly ActorId[];
}

interface Window {
  readonly from: number;
  readonly until: number;
}

interface CrashWindow extends Window {
  readonly loseStore: boolean;
}

const inWindow = (ws: readonly Window[] | undefined, slot: number): boolean =>
  ws?.some((w) => slot >= w.from && slot < w.until) ?? false;

export class CrashFaults {
  private readonly crashes = new Map<number, CrashWindow[]>();
  private readonly offline = new Map<ActorId, Window[]>();

  /**
   * @param faults the run's applied faults (`scenarioFaults`); other kinds are ignored.
   * @param collatorId the actor of a para's collator (by para id and index).
   */
  constructor(
    faults: readonly AppliedFault[],
    private readonly slotUs: number,
    collatorId: (para: number, index: number) => ActorId,
  ) {
    for (const f of faults) {
      if (f.kind === "crash") {
        for (const v of f.validators) {
          const ws = this.crashes.get(v) ?? [];
          ws.push({ from: f.at, until: f.until, loseStore: f.loseStore });
          this.crashes.set(v, ws);
        }
      } else if (f.kind === "collator-offline") {
        for (const c of f.collators) {
          const id = collatorId(f.para, c);
          const ws = this.offline.get(id) ?? [];
          ws.push({ from: f.at, until: f.until });
          this.offline.set(id, ws);
        }
      }
    }
  }

  /** Whether any crash or collator-offline fault is scheduled. */
  get any(): boolean {
    return this.crashes.size > 0 || this.offline.size > 0;
  }

  /** Whether validator `v` has any crash window (its env is gated). */
  mayCrash(v: number): boolean {
    return this.crashes.has(v);
  }

  /** Whether validator `v` is crashed in relay slot `slot`. */
  crashedInSlot(v: number, slot: number): boolean {
    return inWindow(this.crashes.get(v), slot);
  }

  /** Whether validator `v` is down at virtual time `atUs`. */
  validatorDown(v: number, atUs: number): boolean {
    return this.crashedInSlot(v, this.slotOfTime(atUs));
  }

  /** Whether collator `id` is offline at virtual time `atUs`. */
  collatorDown(id: ActorId, atUs: number): boolean {
    return inWindow(this.offline.get(id), this.slotOfTime(atUs));
  }

  /** The transitions at the start of slot `slot` (compared with slot - 1). */
  transitions(slot: number): SlotTransitions {
    const crashed: number[] = [];
    const restarted: ValidatorRestart[] = [];
    for (const [v, ws] of this.crashes) {
      const now = inWindow(ws, slot);
      const before = inWindow(ws, slot - 1);
      if (now && !before) crashed.push(v);
      if (!now && before) {
        const loseStore = ws.some((w) => w.until === slot && w.loseStore);
        restarted.push({ validator: v, loseStore });
      }
    }
    const collatorsOffline: ActorId[] = [];
    const collatorsBack: ActorId[] = [];
    for (const [id, ws] of this.offline) {
      const now = inWindow(ws, slot);
      const before = inWindow(ws, slot - 1);
      if (now && !before) collatorsOffline.push(id);
      if (!now && before) collatorsBack.push(id);
    }
    return { crashed, restarted, collatorsOffline, collatorsBack };
  }

  /** The relay slot virtual time `atUs` falls in. */
  private slotOfTime(atUs: number): number {
    return Math.floor(atUs / this.slotUs);
  }
}
