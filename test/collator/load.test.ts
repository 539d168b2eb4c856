import { describe, expect, it } from "vitest";
import { fillBlock, TxPool } from "../../src/collator/load.ts";
import { Prng } from "../../src/lib/prng.ts";
import { povBaseBytes } from "../../src/parachain/block.ts";
import type { ParaGenesis } from "../../src/parachain/genesis.ts";
import { BlockExecution } from "../../src/parachain/runtime.ts";
import { createGenesis, genesisTip, inherentFor, paraSpec } from "../parachain/chain-helpers.ts";

const saturate = { saturate: true, txPerSecond: null, txRefTimeUs: 200, txProofBytes: 128 };

function begin(genesis: ParaGenesis) {
  const tip = genesisTip(genesis);
  const inherent = inherentFor(tip, { relay: 5 });
  const exec = BlockExecution.begin(genesis.state, {
    parentHash: tip.hash,
    number: 1,
    auraSlot: 5,
    coreInfo: null,
    inherent,
    timestampMs: 30_000,
    setCode: null,
  });
  const base = povBaseBytes(genesis.header, inherent);
  return { exec, base };
}

function limits(
  base: number,
  over: Partial<{
    authoringUs: number;
    povBudgetBytes: number;
    proposalTimeFraction: number;
    softDeadlinePercent: number;
  }>,
) {
  return {
    authoringUs: 10_000_000,
    proposalTimeFraction: 2 / 3,
    softDeadlinePercent: 50,
    povBudgetBytes: 100_000_000,
    povBaseBytes: base,
    txRefTimeUs: 200,
    txProofBytes: 128,
    ...over,
  };
}

describe("transaction load", () => {
  it("stops before the next transaction would exceed the normal class's share of the block weight", () => {
    const g = createGenesis(paraSpec("async")); // 2000 ms, NORMAL_DISPATCH_RATIO 75 %
    const { exec, base } = begin(g);
    // No soft deadline: the proposal ends as soon as the block is full.
    const r = fillBlock(
      exec,
      new TxPool(saturate, 1024, Prng.fromSeed(1)),
      0,
      0,
      limits(base, { softDeadlinePercent: 0 }),
    );
    expect(r).toEqual({ cursor: 7500, stop: "weight", proposalUs: 1_500_000 });
    expect(exec.weightUs).toBe(1_500_000);
  });

  it("applies transactions until the hard deadline, 2/3 of the authoring duration", () => {
    const g = createGenesis(paraSpec("async"));
    const { exec, base } = begin(g);
    const r = fillBlock(
      exec,
      new TxPool(saturate, 1024, Prng.fromSeed(1)),
      0,
      0,
      limits(base, { authoringUs: 600_000 }),
    );
    // Deadline 400 ms: a transaction starts while the time is not past it (`now > deadline`
    // stops), so the 2001st starts at exactly 400 ms and runs; the 2002nd does not.
    expect(r).toEqual({ cursor: 2001, stop: "deadline", proposalUs: 400_200 });
  });

  it("keeps trying a saturating pool until the soft deadline once the block is full", () => {
    const g = createGenesis(paraSpec("elastic-3")); // 1000 ms x 75 % = 750 ms of transactions
    const { exec, base } = begin(g);
    const pool = () => new TxPool(saturate, 1024, Prng.fromSeed(1));
    // Authoring 3 s: deadline 2 s, soft deadline 1 s; the block is full at 750 ms.
    const r = fillBlock(exec, pool(), 0, 0, limits(base, { authoringUs: 3_000_000 }));
    expect(r).toEqual({ cursor: 3750, stop: "weight", proposalUs: 1_000_000 });
    // Past the soft deadline already (soft deadline 10 %: 200 ms): the block ends when full.
    const b = begin(g);
    const early = fillBlock(
      b.exec,
      pool(),
      0,
      0,
      limits(b.base, { authoringUs: 3_000_000, softDeadlinePercent: 10 }),
    );
    expect(early).toEqual({ cursor: 3750, stop: "weight", proposalUs: 750_000 });
  });

  it("stops at the PoV budget", () => {
    const g = createGenesis(paraSpec("async"));
    const { exec, base } = begin(g);
    const budget = base + 128 * 1000 + 100;
    const r = fillBlock(
      exec,
      new TxPool(saturate, 1024, Prng.fromSeed(1)),
      0,
      0,
      limits(base, { povBudgetBytes: budget, softDeadlinePercent: 0 }),
    );
    expect(r).toEqual({ cursor: 1000, stop: "pov", proposalUs: 200_000 });
  });

  it("takes only arrived transactions under txPerSecond, deterministically by seed", () => {
    const load = { saturate: false, txPerSecond: 1000, txRefTimeUs: 200, txProofBytes: 128 };
    const g = createGenesis(paraSpec("async"));
    const a = begin(g);
    const pool = new TxPool(load, 1024, Prng.fromSeed(7));
    const r = fillBlock(a.exec, pool, 0, 2_000_000, limits(a.base, {}));
    expect(r.stop).toBe("pool");
    // About 2000 arrive in 2 s (uniform gaps of mean 1 ms); a 2 s block could take 10,000.
    expect(a.exec.count).toBeGreaterThan(1800);
    expect(a.exec.count).toBeLessThan(2200);
    expect(pool.arrivalOf(r.cursor)).toBeGreaterThan(2_000_000);
    const again = new TxPool(load, 1024, Prng.fromSeed(7));
    expect(again.get(1234)).toEqual(pool.get(1234));
    expect(new TxPool(load, 1024, Prng.fromSeed(8)).get(1234)).not.toEqual(pool.get(1234));
  });

  it("skips transactions invalid on the parent's state and resumes after the last included", () => {
    const g = createGenesis(paraSpec("async"), { accounts: 4, initialBalance: 1500 });
    const { exec, base } = begin(g);
    const pool = new TxPool(saturate, 4, Prng.fromSeed(3));
    const r = fillBlock(exec, pool, 0, 0, limits(base, { authoringUs: 300 * 40 }));
    // Balances of 1500 and amounts up to 1000: some transfers are unaffordable and skipped,
    // and later transfers of their senders are then `Future`.
    expect(exec.count).toBeLessThan(r.cursor);
    expect(exec.count).toBeGreaterThan(0);
    const included = exec.finish().transfers;
    const last = included.count - 1;
    const tx = pool.get(r.cursor - 1);
    expect([included.from[last], included.nonce[last]]).toEqual([tx.from, tx.nonce]);
  });

  it("keeps absolute indices when compacted, and refuses to read below what it keeps", () => {
    const load = { saturate: false, txPerSecond: 1000, txRefTimeUs: 200, txProofBytes: 128 };
    const whole = new TxPool(load, 64, Prng.fromSeed(11));
    const pool = new TxPool(load, 64, Prng.fromSeed(11));
    // Read far, compact, read on: the columns shift and grow, the sequence is the same.
    for (let i = 0; i < 20_000; i += 7) {
      expect(pool.get(i)).toEqual(whole.get(i));
      expect(pool.arrivalOf(i)).toBe(whole.arrivalOf(i));
      if (i % 700 === 0) pool.compact(i - 100);
    }
    expect(pool.kept).toBe(19_600 - 100);
    expect(() => pool.get(19_499)).toThrow(/dropped from the pool/);
    const c = pool.columns(19_800);
    expect(c.base).toBeGreaterThan(0);
    expect(c.base).toBeLessThanOrEqual(19_500);
    expect(c.from[19_800 - c.base]).toBe(whole.get(19_800).from);
    // Compacting past what was generated is allowed; the pool then starts there.
    pool.compact(30_000);
    expect(pool.get(30_001)).toEqual(whole.get(30_001));
  });

  it("fills a block from a compacted pool as from the whole sequence", () => {
    const g = createGenesis(paraSpec("async"));
    const a = begin(g);
    const b = begin(g);
    const whole = new TxPool(saturate, 1024, Prng.fromSeed(1));
    const pool = new TxPool(saturate, 1024, Prng.fromSeed(1));
    pool.get(9000);
    pool.compact(5000);
    // The block starts at cursor 5000 of a chain whose earlier transfers it never saw: nonces of
    // senders seen before 5000 are then `Future`, skipped alike in both.
    const l = limits(a.base, { softDeadlinePercent: 0 });
    expect(fillBlock(a.exec, pool, 5000, 0, l)).toEqual(fillBlock(b.exec, whole, 5000, 0, l));
    expect(a.exec.finish().transfers).toEqual(b.exec.finish().transfers);
  });

  it("replays its arrival times from the seeded stream, whatever it dropped", () => {
    const load = { saturate: false, txPerSecond: 500, txRefTimeUs: 200, txProofBytes: 128 };
    const pool = new TxPool(load, 64, Prng.fromSeed(5));
    const arrivals = Array.from({ length: 5000 }, (_, i) => pool.arrivalOf(i));
    pool.compact(4000);
    const read = pool.arrivalReader();
    for (let i = 0; i < 5000; i++) expect(read(i)).toBe(arrivals[i]);
    // Reads go forward: the reader drops what it passed.
    expect(() => read(10)).toThrow(/dropped from the pool/);
    const again = pool.arrivalReader();
    expect(again(4321)).toBe(arrivals[4321]);
  });

  it("gives every sender's transactions consecutive nonces", () => {
    const pool = new TxPool(saturate, 16, Prng.fromSeed(9));
    const next = new Array<number>(16).fill(0);
    for (let i = 0; i < 500; i++) {
      const t = pool.get(i);
      expect(t.nonce).toBe(next[t.from]);
      next[t.from]! += 1;
      expect(t.to).not.toBe(t.from);
    }
  });
});
