/**
 * The network and node faults of a run (SCENARIO.md "Faults and adversaries": `partition`, `link`,
 * `slow`, `late-bitfields`) as one small state that every delivery path and the validators'
 * environments consult. It answers questions; it never draws, sends or schedules anything.
 *
 * - `fate(from, to, sentAtUs)`: what the faults do to one copy of a message sent from `from` to
 *   `to` at `sentAtUs`: `cut` (a partition separates them: the copy is dropped), an extra loss
 *   probability and an extra one-way delay (`link`, summed and combined over the active ones).
 * - `speed(v, atUs)`: the factor by which validator `v`'s PVF executions starting at `atUs` take
 *   longer (`slow`; the product of the active ones, 1 when none).
 * - `bitfieldDelayUs(v, atUs)`: the extra wait of validator `v`'s bitfield signing for a leaf
 *   activated at `atUs` (`late-bitfields`, summed).
 *
 * Invariants:
 * - Slot N spans virtual time [N x slotUs, (N + 1) x slotUs); a fault is active for a time in a
 *   slot `at <= N < until` (its `until = at + for`).
 * - Only validators (actors `validatorActor(i)`, known by index) are ever affected: a partition
 *   cuts a copy iff both ends are validators on different sides (a validator in no side and
 *   every collator reach both); a `link` names validators (`all`: every validator). A node's
 *   copy to itself is never touched.
 * - Relay blocks are exempt (the network's `gossip` of them does not ask): relay-chain forks are
 *   not modelled.
 * - A run without these faults builds no `NetFaults` (`fromFaults` returns null): its paths take
 *   no extra branch and draw nothing new.
 *
 * Simplified: a partition drops copies in transit (the sender's uplink is still charged, as for
 * a lost message); libp2p would instead see no connection. Extra loss is independent of the
 * network's own loss: a copy is lost with probability 1 - (1 - loss)(1 - extra).
 *
 * Ref: SCENARIO.md "Faults and adversaries"; polkadot-sdk has no such module (faults are the
 *      environment's, not the protocol's).
 */

import type { PvfHost } from "../actors/env.ts";
import type { AppliedFault, ValidatorSet } from "../config/faults.ts";
import type { NodeId } from "./network.ts";
import type { Time } from "./scheduler.ts";

/** What the faults do to one copy of a message. */
export interface LinkFate {
  /** A partition separates the ends: the copy is dropped. */
  readonly cut: boolean;
  /** Extra loss probability (0..1), independent of the network's. */
  readonly loss: number;
  /** Extra one-way delay, µs. */
  readonly delayUs: Time;
}

/** No fault on a copy. */
export const CLEAN: LinkFate = { cut: false, loss: 0, delayUs: 0 };

interface Window {
  /** First slot. */
  readonly at: number;
  /** First slot after the fault. */
  readonly until: number;
}

interface Partition extends Window {
  /** Side number by validator index (-1: in no side). */
  readonly sideOf: Int32Array;
}

interface Link extends Window {
  readonly from: ReadonlySet<number> | "all";
  readonly to: ReadonlySet<number> | "all";
  readonly loss: number;
  readonly delayUs: Time;
}

interface PerValidator extends Window {
  readonly validators: ReadonlySet<number>;
  readonly value: number;
}

/** The fault kinds this module answers for. */
export const NET_FAULT_KINDS = ["partition", "link", "slow", "late-bitfields"] as const;

export class NetFaults {
  private readonly partitions: Partition[] = [];
  private readonly links: Link[] = [];
  private readonly slows: PerValidator[] = [];
  private readonly lateBitfields: PerValidator[] = [];

  /**
   * The faults of `faults` this module answers for (others are ignored); `validatorOf` maps an
   * actor to its validator index (undefined for a collator).
   */
  constructor(
    faults: readonly AppliedFault[],
    private readonly slotUs: Time,
    validators: number,
    private readonly validatorOf: (node: NodeId) => number | undefined,
  ) {
    for (const f of faults) {
      const w = { at: f.at, until: f.until };
      switch (f.kind) {
        case "partition": {
          const sideOf = new Int32Array(validators).fill(-1);
          f.sides.forEach((side, s) => {
            for (const v of side) sideOf[v] = s;
          });
          this.partitions.push({ ...w, sideOf });
          break;
        }
        case "link":
          this.links.push({
            ...w,
            from: setOf(f.from),
            to: setOf(f.to),
            loss: f.loss,
            delayUs: Math.round(f.delayMs * 1000),
          });
          break;
        case "slow":
          this.slows.push({ ...w, validators: new Set(f.validators), value: f.speed });
          break;
        case "late-bitfields":
          this.lateBitfields.push({
            ...w,
            validators: new Set(f.validators),
            value: Math.round(f.delayMs * 1000),
          });
          break;
        default:
          break;
      }
    }
  }

  /** A `NetFaults` if `faults` has any of its kinds, else null (nothing to consult). */
  static fromFaults(
    faults: readonly AppliedFault[],
    slotUs: Time,
    validators: number,
    validatorOf: (node: NodeId) => number | undefined,
  ): NetFaults | null {
    const mine = faults.filter((f) => (NET_FAULT_KINDS as readonly string[]).includes(f.kind));
    return mine.length === 0 ? null : new NetFaults(mine, slotUs, validators, validatorOf);
  }

  /** Whether any partition or link fault exists (the network consults `fate` only then). */
  get affectsLinks(): boolean {
    return this.partitions.length > 0 || this.links.length > 0;
  }

  /** What the faults do to a copy sent from `from` to `to` at `sentAtUs`. */
  fate(from: NodeId, to: NodeId, sentAtUs: Time): LinkFate {
    if (from === to) return CLEAN;
    const slot = Math.floor(sentAtUs / this.slotUs);
    let f: number | undefined;
    let t: number | undefined;
    let looked = false;
    let keep = 1;
    let delayUs = 0;
    for (const p of this.partitions) {
      if (!active(p, slot)) continue;
      if (!looked) {
        f = this.validatorOf(from);
        t = this.validatorOf(to);
        looked = true;
      }
      if (f === undefined || t === undefined) break;
      const a = p.sideOf[f] ?? -1;
      const b = p.sideOf[t] ?? -1;
      if (a >= 0 && b >= 0 && a !== b) return { cut: true, loss: 0, delayUs: 0 };
    }
    for (const l of this.links) {
      if (!active(l, slot)) continue;
      if (!looked) {
        f = this.validatorOf(from);
        t = this.validatorOf(to);
        looked = true;
      }
      if (f === undefined || t === undefined) break;
      if (!inSet(l.from, f) || !inSet(l.to, t)) continue;
      keep *= 1 - l.loss;
      delayUs += l.delayUs;
    }
    return keep === 1 && delayUs === 0 ? CLEAN : { cut: false, loss: 1 - keep, delayUs };
  }

  /** The factor validator `v`'s PVF executions starting at `atUs` are slowed by (1: none). */
  speed(v: number, atUs: Time): number {
    const slot = Math.floor(atUs / this.slotUs);
    let factor = 1;
    for (const s of this.slows) {
      if (active(s, slot) && s.validators.has(v)) factor *= s.value;
    }
    return factor;
  }

  /** The extra wait of validator `v`'s bitfield signing for a leaf activated at `atUs`, µs. */
  bitfieldDelayUs(v: number, atUs: Time): Time {
    const slot = Math.floor(atUs / this.slotUs);
    let delayUs = 0;
    for (const b of this.lateBitfields) {
      if (active(b, slot) && b.validators.has(v)) delayUs += b.value;
    }
    return delayUs;
  }
}

/**
 * Loss probability of a copy under the network's `loss` and a fault's independent `extra`: the
 * network's one Bernoulli draw per copy is compared with this instead of `loss`, so a fault adds
 * no draw (and a copy lost without it is lost with it).
 */
export function combinedLoss(loss: number, extra: number): number {
  return extra === 0 ? loss : Math.min(1, 1 - (1 - loss) * (1 - extra));
}

function active(w: Window, slot: number): boolean {
  return slot >= w.at && slot < w.until;
}

function setOf(s: ValidatorSet): ReadonlySet<number> | "all" {
  return s === "all" ? "all" : new Set(s);
}

function inSet(s: ReadonlySet<number> | "all", v: number): boolean {
  return s === "all" || s.has(v);
}

/**
 * Validator `v`'s PVF host under the `slow` faults: an execution requested at the scheduler's
 * now takes `faults.speed(v, now)` times the CPU time `pvf` gives; `pvf` itself when there are no
 * faults.
 */
export function slowedPvfHost(
  pvf: PvfHost,
  faults: NetFaults | null,
  v: number,
  clock: { readonly now: Time },
): PvfHost {
  if (faults === null) return pvf;
  return {
    execute: (codeHash, pvd, pov) => {
      const r = pvf.execute(codeHash, pvd, pov);
      const factor = faults.speed(v, clock.now);
      return factor === 1 ? r : { ...r, cpuUs: Math.round(r.cpuUs * factor) };
    },
  };
}
