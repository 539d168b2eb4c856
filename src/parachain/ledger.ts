/**
 * The parachain's ledger: a small balances state machine (accounts with a free balance and a
 * nonce) and its transactions, transfers `{from, to, amount, nonce}`, really applied. It stands
 * for the runtime's `pallet_balances` + `frame_system` account nonces: what the PVF re-executes.
 *
 * Invariants:
 * - A `Ledger` value is immutable by convention: `LedgerWriter.begin` copies its arrays (about
 *   12 bytes per account: with the default 1024 accounts a snapshot is ~12 KiB, so a full copy per
 *   block is cheaper than a persistent map and every block keeps its own post-state).
 * - Balances are safe integers (u64 in Rust, kept below 2^53 here); nonces are u32.
 * - A transfer is valid iff both accounts exist and differ, the amount is positive, the nonce is
 *   the sender's current nonce and the sender can afford the amount. The check order, and so the
 *   error for a transfer broken in several ways, is fixed: accounts, amount, nonce, balance.
 * - A batch of transfers is a struct of typed arrays (`Transfers`): a block holds up to ~10^4
 *   of them and hashing/iterating typed arrays keeps execution in milliseconds.
 * - The encoding of one transfer is SCALE `(u32 from, u32 to, u64 amount, u32 nonce)`, 20 bytes;
 *   a batch encodes as `Compact<u32>(count)` followed by the transfers (a `Vec<Transfer>`).
 *
 * Simplifications (modelled): no fees, no signatures, no existential deposit; a transfer the
 * sender cannot afford is invalid (as a failed fee payment is: `InvalidTransaction::Payment`),
 * where Substrate would include it and fail its dispatch.
 *
 * Ref: substrate/frame/balances (transfer), substrate/frame/system (CheckNonce),
 *      substrate/primitives/runtime/src/transaction_validity.rs (InvalidTransaction messages).
 */
import { assert } from "../lib/assert.ts";
import { encodeCompactU32 } from "../primitives/ump.ts";

export type AccountIndex = number;

/** Bytes of one encoded transfer. */
export const TRANSFER_BYTES = 20;

const TWO_POW_32 = 0x1_0000_0000;

/** An account state snapshot: balances and nonces by account index. */
export interface Ledger {
  readonly balances: Float64Array;
  readonly nonces: Uint32Array;
}

/** One transfer (for tests and logs; blocks carry `Transfers`). */
export interface Transfer {
  readonly from: AccountIndex;
  readonly to: AccountIndex;
  readonly amount: number;
  readonly nonce: number;
}

/** A batch of transfers as typed columns; entry i is `(from[i], to[i], amount[i], nonce[i])`. */
export interface Transfers {
  readonly count: number;
  readonly from: Uint32Array;
  readonly to: Uint32Array;
  readonly amount: Float64Array;
  readonly nonce: Uint32Array;
}

/** `InvalidTransaction` variants a transfer can hit. */
export type InvalidTransaction = "Stale" | "Future" | "Payment" | "Call";

/** Rust's `From<InvalidTransaction> for &'static str`: what a block-execution panic says. */
export function invalidTransactionMessage(e: InvalidTransaction | "ExhaustsResources"): string {
  switch (e) {
    case "Stale":
      return "Transaction is outdated";
    case "Future":
      return "Transaction will be valid in the future";
    case "Payment":
      return "Inability to pay some fees (e.g. account balance too low)";
    case "Call":
      return "Transaction call is not expected";
    case "ExhaustsResources":
      return "Transaction would exhaust the block limits";
  }
}

export const Ledger = {
  /** Every account with `initialBalance` and nonce 0. */
  genesis(accounts: number, initialBalance: number): Ledger {
    assert(Number.isInteger(accounts) && accounts >= 2, "a ledger needs at least 2 accounts");
    assert(Number.isSafeInteger(initialBalance) && initialBalance >= 0, "bad initial balance");
    const balances = new Float64Array(accounts);
    balances.fill(initialBalance);
    return { balances, nonces: new Uint32Array(accounts) };
  },

  accounts(ledger: Ledger): number {
    return ledger.balances.length;
  },

  /** Whether `tx` is valid on `ledger`, else why not (the check order is the header's). */
  check(
    ledger: Ledger,
    from: number,
    to: number,
    amount: number,
    nonce: number,
  ): InvalidTransaction | null {
    const n = ledger.balances.length;
    if (!(from < n && to < n && from !== to)) return "Call";
    if (!(amount > 0 && Number.isSafeInteger(amount))) return "Call";
    const expected = ledger.nonces[from]!;
    if (nonce < expected) return "Stale";
    if (nonce > expected) return "Future";
    if (ledger.balances[from]! < amount) return "Payment";
    return null;
  },
};

export const Transfers = {
  fromList(list: readonly Transfer[]): Transfers {
    const n = list.length;
    const out = {
      count: n,
      from: new Uint32Array(n),
      to: new Uint32Array(n),
      amount: new Float64Array(n),
      nonce: new Uint32Array(n),
    };
    list.forEach((t, i) => {
      out.from[i] = t.from;
      out.to[i] = t.to;
      out.amount[i] = t.amount;
      out.nonce[i] = t.nonce;
    });
    return out;
  },

  toList(t: Transfers): Transfer[] {
    const out: Transfer[] = [];
    for (let i = 0; i < t.count; i++) {
      out.push({ from: t.from[i]!, to: t.to[i]!, amount: t.amount[i]!, nonce: t.nonce[i]! });
    }
    return out;
  },

  /** A deep copy (the way to tamper with a block in a test without touching the original). */
  clone(t: Transfers): Transfers {
    return {
      count: t.count,
      from: t.from.slice(0, t.count),
      to: t.to.slice(0, t.count),
      amount: t.amount.slice(0, t.count),
      nonce: t.nonce.slice(0, t.count),
    };
  },

  /** SCALE `Vec<Transfer>`: compact length, then 20 bytes per transfer (little-endian). */
  encode(t: Transfers): Uint8Array {
    const prefix = encodeCompactU32(t.count);
    const out = new Uint8Array(prefix.length + t.count * TRANSFER_BYTES);
    out.set(prefix, 0);
    const view = new DataView(out.buffer);
    let off = prefix.length;
    for (let i = 0; i < t.count; i++) {
      const amount = t.amount[i]!;
      view.setUint32(off, t.from[i]!, true);
      view.setUint32(off + 4, t.to[i]!, true);
      view.setUint32(off + 8, amount % TWO_POW_32, true);
      view.setUint32(off + 12, Math.floor(amount / TWO_POW_32), true);
      view.setUint32(off + 16, t.nonce[i]!, true);
      off += TRANSFER_BYTES;
    }
    return out;
  },
};

/** Growable columns, for a block builder that does not know how many transfers will fit. */
export class TransfersBuilder {
  private from = new Uint32Array(64);
  private to = new Uint32Array(64);
  private amount = new Float64Array(64);
  private nonce = new Uint32Array(64);
  private n = 0;

  get count(): number {
    return this.n;
  }

  push(from: number, to: number, amount: number, nonce: number): void {
    if (this.n === this.from.length) this.grow();
    this.from[this.n] = from;
    this.to[this.n] = to;
    this.amount[this.n] = amount;
    this.nonce[this.n] = nonce;
    this.n += 1;
  }

  /** The batch (copied to exact-size arrays). */
  finish(): Transfers {
    return {
      count: this.n,
      from: this.from.slice(0, this.n),
      to: this.to.slice(0, this.n),
      amount: this.amount.slice(0, this.n),
      nonce: this.nonce.slice(0, this.n),
    };
  }

  private grow(): void {
    const size = this.from.length * 2;
    const f = new Uint32Array(size);
    f.set(this.from);
    const t = new Uint32Array(size);
    t.set(this.to);
    const a = new Float64Array(size);
    a.set(this.amount);
    const o = new Uint32Array(size);
    o.set(this.nonce);
    this.from = f;
    this.to = t;
    this.amount = a;
    this.nonce = o;
  }
}

/**
 * A block's working copy of the ledger: applies transfers and remembers which accounts changed
 * (the state root hashes the changes).
 */
export class LedgerWriter implements Ledger {
  readonly balances: Float64Array;
  readonly nonces: Uint32Array;
  private readonly touched: Uint8Array;
  private readonly changed: number[] = [];

  private constructor(base: Ledger) {
    this.balances = base.balances.slice();
    this.nonces = base.nonces.slice();
    this.touched = new Uint8Array(base.balances.length);
  }

  static begin(base: Ledger): LedgerWriter {
    return new LedgerWriter(base);
  }

  check(from: number, to: number, amount: number, nonce: number): InvalidTransaction | null {
    return Ledger.check(this, from, to, amount, nonce);
  }

  /** Apply a transfer that `check` accepted (a bug otherwise). */
  apply(from: number, to: number, amount: number): void {
    this.balances[from] = this.balances[from]! - amount;
    this.balances[to] = this.balances[to]! + amount;
    this.nonces[from] = this.nonces[from]! + 1;
    this.touch(from);
    this.touch(to);
  }

  /** The changed accounts, ascending. */
  changedAccounts(): number[] {
    return [...this.changed].sort((a, b) => a - b);
  }

  /**
   * The changes as bytes for the state root: for each changed account, ascending,
   * `(u32 index, u64 balance, u32 nonce)` little-endian.
   */
  encodeChanges(): Uint8Array {
    const accounts = this.changedAccounts();
    const out = new Uint8Array(accounts.length * 16);
    const view = new DataView(out.buffer);
    accounts.forEach((a, i) => {
      const b = this.balances[a]!;
      view.setUint32(16 * i, a, true);
      view.setUint32(16 * i + 4, b % TWO_POW_32, true);
      view.setUint32(16 * i + 8, Math.floor(b / TWO_POW_32), true);
      view.setUint32(16 * i + 12, this.nonces[a]!, true);
    });
    return out;
  }

  /** The post-state snapshot (the writer must not be used afterwards). */
  snapshot(): Ledger {
    return { balances: this.balances, nonces: this.nonces };
  }

  private touch(a: number): void {
    if (this.touched[a] === 0) {
      this.touched[a] = 1;
      this.changed.push(a);
    }
  }
}
