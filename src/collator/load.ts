/**
 * The transaction load of a parachain: the transaction pool its collators share (a model of
 * transaction gossip: every collator sees the same pending transactions in the same order) and
 * the proposer's rule for filling a block from it.
 *
 * The pool is an endless, seeded sequence of transfers; transaction i has an arrival time
 * (`saturate`: all at time 0, so the pool always holds more than a block can take;
 * `txPerSecond: n`: seeded arrivals at n per second on average). A chain consumes the sequence
 * in order: a block built on parent P takes the next transactions arrived when building starts,
 * from P's pool cursor (the first not yet considered by P's chain), skipping those invalid on
 * P's state, and stops as sc-basic-authorship does (`fillBlock`): at its hard deadline, or once
 * the block is full (the normal class's share of `maximumBlockWeightMs`, the runtime's
 * `ExhaustsResources`, or the collator's PoV budget) and the soft deadline has passed.
 *
 * Invariants:
 * - Determinism: the sequence depends only on the Prng handed in (forked per use), never on
 *   who reads it or when.
 * - Transfer i moves 1..1000 units between two distinct accounts chosen uniformly; its nonce is
 *   the number of earlier transfers of the same sender in the sequence, so a chain that includes
 *   the sequence in order sees every nonce in turn (genesis balances are far larger than what
 *   the load can move, so generated transfers stay valid).
 * - Each transaction costs the runtime's benchmarked `txRefTimeUs` of execution and
 *   `txProofBytes` of PoV; a block's weight and size are the sums over what it holds.
 * - Memory: the pool holds the transactions from `kept` (raised by `compact`: below it no chain
 *   builds any more) to the last generated, not the whole sequence; indices stay absolute. What
 *   is read after the run (arrival times, for transaction latencies) is replayed from the seeded
 *   stream (`arrivalReader`), not kept.
 *
 * Simplification: arrivals are uniform inter-arrival times with mean 1/txPerSecond (not
 * exponential: `Math.log` may differ in its last bits between engines, which would break replay).
 *
 * Ref: substrate/client/basic-authorship/src/basic_authorship.rs at 5394c978fe57 (`propose_with`:
 *      `deadline = now + max_duration - max_duration / 3`; `apply_extrinsics`: the soft deadline,
 *      `MAX_SKIPPED_TRANSACTIONS`, `EndProposingReason`; SEMANTICS.md §7 C5), cumulus aura
 *      collators (PoV budget: basic `max_pov_size / 2`, lookahead and slot-based 85 %). A newer
 *      basic-authorship in the index leaves 10 % (`max_duration / 10`), release not identified:
 *      `proposalTimeFraction: 0.9` models it (docs/simulator.md).
 */
import type { LoadSpec } from "../config/scenario.ts";
import { assert } from "../lib/assert.ts";
import type { Prng } from "../lib/prng.ts";
import type { BlockExecution } from "../parachain/runtime.ts";

const MAX_AMOUNT = 1000;

/** Initial capacity of the pool's columns, transactions. */
const INITIAL_CAPACITY = 1024;

export class TxPool {
  /** Column storage of transactions `base .. generated - 1` (slot k holds transaction base + k). */
  private from = new Uint32Array(INITIAL_CAPACITY);
  private to = new Uint32Array(INITIAL_CAPACITY);
  private amount = new Float64Array(INITIAL_CAPACITY);
  private nonce = new Uint32Array(INITIAL_CAPACITY);
  /** Empty under `saturate` (every transaction is there at time 0). */
  private arrivalUs: Float64Array;
  /** The transaction in slot 0 of the columns. */
  private base = 0;
  /** Transactions below this one are dropped (`compact`); reading them is a bug. */
  private low = 0;
  private n = 0;
  private lastArrivalUs = 0;
  private readonly nextNonce: Uint32Array;
  private readonly meanGapUs: number | null;
  /** The stream as handed in, before any draw: `arrivalReader` replays the sequence from it. */
  private readonly start: Prng;

  constructor(
    private readonly load: LoadSpec,
    private readonly accounts: number,
    private readonly rng: Prng,
  ) {
    assert(accounts >= 2, "the load needs at least 2 accounts");
    this.start = rng.clone();
    this.nextNonce = new Uint32Array(accounts);
    if (load.saturate) this.meanGapUs = null;
    else {
      assert(load.txPerSecond !== null && load.txPerSecond > 0, "txPerSecond must be > 0");
      this.meanGapUs = 1_000_000 / load.txPerSecond;
    }
    this.arrivalUs = new Float64Array(this.meanGapUs === null ? 0 : INITIAL_CAPACITY);
  }

  /** Whether the pool never runs dry (`saturate`: always more than a block can take). */
  get unbounded(): boolean {
    return this.meanGapUs === null;
  }

  /** Transactions generated so far. */
  get generated(): number {
    return this.n;
  }

  /** The first transaction still held (`compact`). */
  get kept(): number {
    return this.low;
  }

  /** Whether transaction i has arrived by `nowUs` (generating the sequence as far as needed). */
  arrived(i: number, nowUs: number): boolean {
    if (this.meanGapUs === null) return true;
    return this.arrivalOf(i) <= nowUs;
  }

  /** Arrival time of transaction i, µs (0 under `saturate`). */
  arrivalOf(i: number): number {
    this.ensure(i);
    return this.meanGapUs === null ? 0 : this.arrivalUs[i - this.base]!;
  }

  /** Transaction i (generated on demand). */
  get(i: number): { from: number; to: number; amount: number; nonce: number } {
    this.ensure(i);
    const k = i - this.base;
    return { from: this.from[k]!, to: this.to[k]!, amount: this.amount[k]!, nonce: this.nonce[k]! };
  }

  /**
   * The columns, valid up to transaction `i` (generated on demand), for a hot loop: transaction
   * j (`kept <= j <= i`) is at `j - base` of each column. The columns move on the next call that
   * generates or compacts.
   */
  columns(i: number): {
    readonly base: number;
    readonly from: Uint32Array;
    readonly to: Uint32Array;
    readonly amount: Float64Array;
    readonly nonce: Uint32Array;
  } {
    this.ensure(i);
    return {
      base: this.base,
      from: this.from,
      to: this.to,
      amount: this.amount,
      nonce: this.nonce,
    };
  }

  /**
   * Drop the transactions below `below`: nobody reads them any more (the world calls this with the
   * pool cursor of the oldest block any chain may still build on). Indices stay absolute; reading
   * a dropped transaction asserts. The columns are shifted once the dropped part fills half of
   * them, so the memory held is about twice what lies between `below` and the last generated.
   */
  compact(below: number): void {
    if (below <= this.low) return;
    this.low = below;
    const dead = Math.min(this.low, this.n) - this.base;
    if (dead * 2 < this.from.length) return;
    this.shift(dead);
  }

  /**
   * A reader of the arrival times (µs) of this pool's sequence, replayed from its start with the
   * same seeded draws, whatever was dropped since: for reads in increasing order of transaction
   * (it keeps no more than a few columns' worth). What the run report reads transaction latencies
   * from after a run, when the live pool no longer holds the included transactions.
   */
  arrivalReader(): (i: number) => number {
    const replay = new TxPool(this.load, this.accounts, this.start.clone());
    return (i) => {
      const at = replay.arrivalOf(i);
      replay.compact(i);
      return at;
    };
  }

  private ensure(i: number): void {
    assert(
      i >= this.low,
      () => `transaction ${i} was dropped from the pool (kept from ${this.low})`,
    );
    while (this.n <= i) this.generate();
  }

  private generate(): void {
    if (this.n - this.base === this.from.length) this.makeRoom();
    const k = this.n - this.base;
    const from = this.rng.int(this.accounts);
    let to = this.rng.int(this.accounts - 1);
    if (to >= from) to += 1;
    this.from[k] = from;
    this.to[k] = to;
    this.amount[k] = 1 + this.rng.int(MAX_AMOUNT);
    this.nonce[k] = this.nextNonce[from]!;
    this.nextNonce[from] = this.nextNonce[from]! + 1;
    if (this.meanGapUs !== null) {
      this.lastArrivalUs += this.rng.float() * 2 * this.meanGapUs;
      this.arrivalUs[k] = this.lastArrivalUs;
    }
    this.n += 1;
  }

  /** The columns are full: drop what `compact` released, and double them unless that freed half. */
  private makeRoom(): void {
    const dead = Math.min(this.low, this.n) - this.base;
    if (dead * 2 >= this.from.length) {
      this.shift(dead);
      return;
    }
    const size = this.from.length * 2;
    const live = this.n - this.base;
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a.subarray(dead, live));
      return b;
    };
    this.from = grow(this.from, (k) => new Uint32Array(k));
    this.to = grow(this.to, (k) => new Uint32Array(k));
    this.amount = grow(this.amount, (k) => new Float64Array(k));
    this.nonce = grow(this.nonce, (k) => new Uint32Array(k));
    if (this.meanGapUs !== null) this.arrivalUs = grow(this.arrivalUs, (k) => new Float64Array(k));
    this.base += dead;
  }

  /** Moves the columns `dead` slots down (transaction base + dead to slot 0). */
  private shift(dead: number): void {
    if (dead <= 0) return;
    const live = this.n - this.base;
    for (const a of [this.from, this.to, this.amount, this.nonce, this.arrivalUs]) {
      if (a.length > 0) a.copyWithin(0, dead, live);
    }
    this.base += dead;
  }
}

/** What bounds one block besides the runtime's maximum weight. */
export interface BuildLimits {
  /** The proposal's `max_duration`: the authoring duration the collator gives this block, µs. */
  readonly authoringUs: number;
  /**
   * The share of `max_duration` the proposer applies transactions in (its hard deadline): 2/3 in
   * sc-basic-authorship (`deadline = now + max_duration - max_duration / 3`), SEMANTICS.md §7 C5.
   */
  readonly proposalTimeFraction: number;
  /** The soft deadline, percent of the time to the hard deadline (`soft_deadline_percent`, 50). */
  readonly softDeadlinePercent: number;
  /** The collator's PoV budget, bytes. */
  readonly povBudgetBytes: number;
  /** PoV bytes of the block without transactions (header, inherents, relay state proof). */
  readonly povBaseBytes: number;
  readonly txRefTimeUs: number;
  readonly txProofBytes: number;
}

/**
 * Why a block stopped taking transactions (`EndProposingReason`): `weight` HitBlockWeightLimit,
 * `pov` HitBlockSizeLimit, `deadline` HitDeadline, `pool` NoMoreTransactions.
 */
export type FillStop = "weight" | "deadline" | "pov" | "pool";

/** What `fillBlock` did: the pool cursor after it, why it stopped, and how long it took. */
export interface Filled {
  readonly cursor: number;
  readonly stop: FillStop;
  /**
   * The proposal's duration, µs: the execution of what it applied, or, when the block was full
   * before the soft deadline on a pool that never runs dry, the soft deadline (the proposer keeps
   * trying transactions until then).
   */
  readonly proposalUs: number;
}

/**
 * `MAX_SKIPPED_TRANSACTIONS`: transactions exhausting the block's resources (weight or size) the
 * proposer always tries past before it looks at the soft deadline. Counted per block, never reset.
 */
export const MAX_SKIPPED_TRANSACTIONS = 8;

/** Invalid transactions in a row after which the model stops scanning (no endless scan). */
export const MAX_INVALID_IN_A_ROW = 100_000;

/**
 * `apply_extrinsics` of sc-basic-authorship on the pool, starting at `cursor`, with transactions
 * arrived by `nowUs` (time within the proposal is the execution of what was applied so far):
 *  - before each transaction: the pool is empty -> stop (`pool`, or the last limit hit); the time
 *    is past the hard deadline (`proposalTimeFraction` of the authoring duration) -> stop
 *    (`deadline`, or the last limit hit);
 *  - a transaction over the PoV budget (size) or the normal class's weight (`ExhaustsResources`)
 *    is skipped: the first `MAX_SKIPPED_TRANSACTIONS` always, later ones only before the soft
 *    deadline; past it the block ends (`pov` / `weight`);
 *  - an invalid one is skipped (not counted), a valid one applied.
 * The load is uniform (every transaction has the same weight and size), so once one exhausts the
 * block every later one does: the proposer's further attempts end at the soft deadline on a
 * saturating pool, or when a finite pool runs dry (attempts themselves cost no modelled time).
 */
export function fillBlock(
  exec: BlockExecution,
  pool: TxPool,
  cursor: number,
  nowUs: number,
  limits: BuildLimits,
): Filled {
  const deadlineUs = limits.authoringUs * limits.proposalTimeFraction;
  // `soft_deadline_percent.mul_floor(left_micros)`, from the start of the extrinsics.
  const softDeadlineUs = Math.floor((limits.softDeadlinePercent * Math.floor(deadlineUs)) / 100);
  let next = cursor;
  let i = cursor;
  let skipped = 0;
  let invalidInARow = 0;
  let limitHit: FillStop | null = null;
  const done = (stop: FillStop, proposalUs = exec.count * limits.txRefTimeUs): Filled => ({
    cursor: next,
    stop,
    proposalUs: Math.round(proposalUs),
  });
  for (;;) {
    if (!pool.arrived(i, nowUs)) return done(limitHit ?? "pool");
    const elapsedUs = exec.count * limits.txRefTimeUs;
    if (elapsedUs > deadlineUs) return done(limitHit ?? "deadline");
    let exhausted: FillStop | null = null;
    if (limits.povBaseBytes + (exec.count + 1) * limits.txProofBytes > limits.povBudgetBytes) {
      exhausted = "pov";
    } else {
      const c = pool.columns(i);
      const k = i - c.base;
      const from = c.from[k]!;
      const to = c.to[k]!;
      const amount = c.amount[k]!;
      const nonce = c.nonce[k]!;
      const invalid = exec.checkTransfer(from, to, amount, nonce);
      if (invalid === "ExhaustsResources") exhausted = "weight";
      else if (invalid === null) {
        exec.applyTransfer(from, to, amount, nonce);
        next = i + 1;
        limitHit = null;
        invalidInARow = 0;
      } else if (++invalidInARow >= MAX_INVALID_IN_A_ROW) {
        return done(limitHit ?? "pool");
      }
    }
    if (exhausted !== null) {
      limitHit = exhausted;
      if (skipped < MAX_SKIPPED_TRANSACTIONS) skipped += 1;
      else if (elapsedUs < softDeadlineUs) {
        // Every later transaction exhausts the block too (uniform load): see the header.
        return done(exhausted, pool.unbounded ? softDeadlineUs : elapsedUs);
      } else return done(exhausted);
    }
    i += 1;
  }
}
