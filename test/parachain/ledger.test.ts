import { describe, expect, it } from "vitest";
import {
  invalidTransactionMessage,
  Ledger,
  LedgerWriter,
  TRANSFER_BYTES,
  Transfers,
  TransfersBuilder,
} from "../../src/parachain/ledger.ts";

describe("ledger", () => {
  it("applies transfers: balances move, the sender's nonce increments, changes are tracked", () => {
    const base = Ledger.genesis(8, 1000);
    const w = LedgerWriter.begin(base);
    expect(w.check(1, 2, 300, 0)).toBeNull();
    w.apply(1, 2, 300);
    expect(w.check(1, 5, 700, 1)).toBeNull();
    w.apply(1, 5, 700);
    const after = w.snapshot();
    expect([...after.balances]).toEqual([1000, 0, 1300, 1000, 1000, 1700, 1000, 1000]);
    expect([...after.nonces]).toEqual([0, 2, 0, 0, 0, 0, 0, 0]);
    expect(w.changedAccounts()).toEqual([1, 2, 5]);
    // The base snapshot is untouched (copy on begin).
    expect(base.balances[1]).toBe(1000);
    expect(base.nonces[1]).toBe(0);
  });

  it("rejects invalid transfers with the InvalidTransaction kind, in the documented order", () => {
    const w = LedgerWriter.begin(Ledger.genesis(4, 100));
    expect(w.check(0, 0, 1, 0)).toBe("Call"); // to self
    expect(w.check(0, 4, 1, 0)).toBe("Call"); // unknown account
    expect(w.check(0, 1, 0, 0)).toBe("Call"); // zero amount
    expect(w.check(0, 1, 1, 1)).toBe("Future");
    expect(w.check(0, 1, 101, 0)).toBe("Payment");
    w.apply(0, 1, 100);
    expect(w.check(0, 1, 1, 0)).toBe("Stale");
    expect(w.check(0, 1, 1, 1)).toBe("Payment"); // balance now 0
    expect(invalidTransactionMessage("Payment")).toBe(
      "Inability to pay some fees (e.g. account balance too low)",
    );
    expect(invalidTransactionMessage("Stale")).toBe("Transaction is outdated");
  });

  it("encodes a batch as a SCALE Vec of (u32, u32, u64, u32)", () => {
    const t = Transfers.fromList([{ from: 1, to: 2, amount: 2 ** 32 + 5, nonce: 7 }]);
    const bytes = Transfers.encode(t);
    expect(bytes.length).toBe(1 + TRANSFER_BYTES);
    expect([...bytes]).toEqual([4, 1, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0]);
    expect(Transfers.toList(Transfers.clone(t))).toEqual(Transfers.toList(t));
  });

  it("grows a batch beyond its initial capacity without losing entries", () => {
    const b = new TransfersBuilder();
    for (let i = 0; i < 1000; i++) b.push(i % 7, (i + 1) % 7, i + 1, i);
    const t = b.finish();
    expect(t.count).toBe(1000);
    expect(t.amount[999]).toBe(1000);
    expect(t.from[500]).toBe(500 % 7);
  });
});
