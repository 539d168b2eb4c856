/**
 * Finality, modelled: a GRANDPA-like gadget that finalizes only relay blocks whose included
 * candidates every voter sees approved, with their ancestors (SEMANTICS 5.5.10).
 *
 * At each relay block produced, every online validator votes for `ApprovedAncestor` in its own
 * approval-voting view: the highest block `b` such that every block from the last finalized one
 * + 1 to `b` is approved (`relay_chain_selection.rs` `finality_target`), capped by the
 * `MAX_FINALITY_LAG` safeguard (a vote never lags the best block by more than 500). The finalized
 * block is the highest that a supermajority (`n - floor((n - 1) / 3)` of all validators) voted
 * for or beyond. Each block the finalized one passes is announced (`onFinalized`), and the lag
 * (best minus finalized, in blocks, and in time: their slots apart) is sampled.
 *
 * Modelled, not protocol (docs/simulator.md): GRANDPA's rounds, prevotes, precommits and their
 * messages are not simulated; votes are read from the validators' views at the moment the block
 * is produced, so the lag is a lower bound of GRANDPA's (which adds its round trips). No disputes
 * (`DetermineUndisputedChain` is the identity) and no forks.
 *
 * Ref: polkadot/node/service/src/relay_chain_selection.rs (finality_target, MAX_FINALITY_LAG),
 *      polkadot/node/core/approval-voting/src/lib.rs (handle_approved_ancestor).
 */
import { assert } from "../lib/assert.ts";

/** `MAX_FINALITY_LAG`: a vote lags the best block by at most this many blocks. */
export const MAX_FINALITY_LAG = 500;

/** One sample of the finality lag, taken when a relay block is produced. */
export interface FinalitySample {
  readonly relayBlock: number;
  readonly lagBlocks: number;
  readonly lagMs: number;
}

export interface FinalityParams {
  readonly validators: number;
  readonly slotDurationMs: number;
  /** The slot block `number` was authored in (default `number`: no empty slots). */
  readonly slotOf?: (number: number) => number | undefined;
  /** Whether validator `v` votes now (offline validators do not). */
  readonly online: (v: number) => boolean;
  /** Validator `v`'s `ApprovedAncestor` in `(finalized, best]`, or `finalized`. */
  readonly approvedUpTo: (v: number, finalized: number, best: number) => number;
  /** Called for each newly finalized block number, in order. */
  readonly onFinalized: (number: number) => void;
}

export class Finality {
  private finalizedNumber = 0;
  readonly samples: FinalitySample[] = [];

  constructor(private readonly p: FinalityParams) {
    assert(p.validators >= 1, () => `finality: ${p.validators} validators`);
  }

  get finalized(): number {
    return this.finalizedNumber;
  }

  /** The votes on the chain whose best block is `best`, then the finalized block and the lag. */
  onBlock(best: number): void {
    const n = this.p.validators;
    const supermajority = n - Math.floor((n - 1) / 3);
    const votes: number[] = [];
    for (let v = 0; v < n; v++) {
      if (!this.p.online(v)) continue;
      const approved = this.p.approvedUpTo(v, this.finalizedNumber, best);
      votes.push(Math.max(approved, best - MAX_FINALITY_LAG));
    }
    if (votes.length >= supermajority) {
      votes.sort((a, b) => b - a);
      const target = votes[supermajority - 1]!;
      while (this.finalizedNumber < target) {
        this.finalizedNumber++;
        this.p.onFinalized(this.finalizedNumber);
      }
    }
    const lagBlocks = best - this.finalizedNumber;
    const slot = (n: number) => this.p.slotOf?.(n) ?? n;
    const lagMs = (slot(best) - slot(this.finalizedNumber)) * this.p.slotDurationMs;
    this.samples.push({ relayBlock: best, lagBlocks, lagMs });
  }
}
