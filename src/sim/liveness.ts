/**
 * Liveness (SCENARIO.md "Faults and adversaries", last paragraphs): per para, the stalls (4 or
 * more relay slots in a row without a `CandidateIncluded` of the para, within the measured slots)
 * and how soon it included again after the last fault ended; and the verdict: liveness fails when
 * a para includes nothing in the measured slots, or when, after the last fault ends, it does not
 * include again within `livenessRelayBlocks`.
 *
 * Judged in relay SLOTS, not block numbers: faults count slots (`at`, `until`), and a slot whose
 * author has crashed produces no block, so block numbers may lag slots. The caller hands each
 * inclusion as (block number, slot) (relay headers carry their slot).
 *
 * Invariants: pure (no I/O, no randomness); a stall's `fromRelayBlock..toRelayBlock` are the
 * first and last slot without an inclusion (inclusive), as `parapipe upgrade` reports its stalls;
 * `recoveredWithinRelayBlocks` counts the slots from the last fault's `until` (the first slot it
 * no longer holds) through the first inclusion at or after it: 1 when the para includes in that
 * very slot. Undecided (null, not a failure) when the para has not included again and the run
 * ends before `livenessRelayBlocks` slots have passed; null too when the run has no fault.
 *
 * Simplified: one recovery point for every para, the end of the last fault of any kind (a fault
 * on one para's collators also waits for the others), as SCENARIO.md states the rule.
 *
 * Ref: SCENARIO.md (the rule is parapipe's; the recovery bound `parasAvailabilityPeriod + 3` is
 *      polkadot-sdk's availability timeout, polkadot/runtime/parachains/src/scheduler.rs
 *      availability_timeout_predicate, plus a margin).
 */
import type { AppliedFault } from "../config/faults.ts";

/** A stall is this many relay slots or more without an inclusion of the para. */
export const STALL_SLOTS = 4;

/** One `CandidateIncluded` of a para: the relay block that carried it and that block's slot. */
export interface Inclusion {
  readonly relayBlock: number;
  readonly slot: number;
}

export interface Stall {
  readonly fromRelayBlock: number;
  readonly toRelayBlock: number;
}

export interface ParaLiveness {
  readonly stalls: readonly Stall[];
  /** Slots from the last fault's end through the para's first inclusion after it, or null. */
  readonly recoveredWithinRelayBlocks: number | null;
  /** Why liveness failed for the para, or null. */
  readonly failure: string | null;
}

export interface LivenessInput {
  /** Each para's inclusions, in block order (warm-up included). */
  readonly inclusions: ReadonlyMap<number, readonly Inclusion[]>;
  /** The paras judged (a para with no inclusion at all is still judged). */
  readonly paraIds: readonly number[];
  readonly faults: readonly AppliedFault[];
  readonly livenessRelayBlocks: number;
  /** The measured slots, inclusive. */
  readonly measured: { readonly fromSlot: number; readonly toSlot: number };
}

/** The per-para liveness, by para id (in the order of `paraIds`). */
export function judgeLiveness(input: LivenessInput): Map<number, ParaLiveness> {
  const { fromSlot, toSlot } = input.measured;
  const lastEnd = input.faults.length === 0 ? null : Math.max(...input.faults.map((f) => f.until));
  const out = new Map<number, ParaLiveness>();
  for (const para of input.paraIds) {
    const slots = (input.inclusions.get(para) ?? []).map((i) => i.slot).sort((a, b) => a - b);
    const measured = slots.filter((s) => s >= fromSlot && s <= toSlot);
    const stalls: Stall[] = [];
    let previous = fromSlot - 1;
    for (const s of [...measured, toSlot + 1]) {
      if (s - previous - 1 >= STALL_SLOTS) {
        stalls.push({ fromRelayBlock: previous + 1, toRelayBlock: s - 1 });
      }
      previous = Math.max(previous, s);
    }
    let recovered: number | null = null;
    let failure: string | null = null;
    if (measured.length === 0) {
      failure = `para ${para} included nothing in relay slots ${fromSlot}..${toSlot}`;
    }
    if (lastEnd !== null) {
      const again = slots.find((s) => s >= lastEnd);
      if (again !== undefined) recovered = again - lastEnd + 1;
      const judged = lastEnd + input.livenessRelayBlocks - 1 <= toSlot;
      if (failure === null && (recovered ?? Number.POSITIVE_INFINITY) > input.livenessRelayBlocks) {
        if (recovered !== null) {
          failure = `para ${para} included again ${recovered} relay slots after the last fault ended at slot ${lastEnd}, more than ${input.livenessRelayBlocks}`;
        } else if (judged) {
          failure = `para ${para} did not include again within ${input.livenessRelayBlocks} relay slots after the last fault ended at slot ${lastEnd}`;
        }
      }
    }
    out.set(para, { stalls, recoveredWithinRelayBlocks: recovered, failure });
  }
  return out;
}

/** The liveness failures of a run, one line each (empty: liveness holds). */
export function livenessFailures(liveness: ReadonlyMap<number, ParaLiveness>): string[] {
  return [...liveness.values()].flatMap((p) => (p.failure === null ? [] : [p.failure]));
}
