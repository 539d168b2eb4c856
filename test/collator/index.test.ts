import { describe, expect, it } from "vitest";
import { createParachain } from "../../src/collator/index.ts";
import { RelayBlockQueue } from "../../src/collator/relay-queue.ts";
import { Prng } from "../../src/lib/prng.ts";
import { decodeHeadData } from "../../src/parachain/block.ts";
import { hashBytes } from "../../src/primitives/hashing.ts";
import type { RelayHeader } from "../../src/primitives/runtime-api.ts";
import { paraSpec } from "../parachain/chain-helpers.ts";

describe("createParachain", () => {
  it("is deterministic: same spec and seed, same genesis, code and load", () => {
    const a = createParachain(paraSpec("async"), Prng.fromSeed(5));
    const b = createParachain(paraSpec("async"), Prng.fromSeed(5));
    expect(a.genesis.headData).toBe(b.genesis.headData);
    expect(a.genesis.validationCodeHash).toBe(b.genesis.validationCodeHash);
    expect(a.genesis.validationCodeHash).toBe(hashBytes(a.genesis.validationCode));
    expect(a.pool.get(99)).toEqual(b.pool.get(99));
    expect(decodeHeadData(a.genesis.headData)).toEqual(a.genesis.header);
    // A runtime with other constants is other code.
    const c = createParachain(
      paraSpec("async", { runtime: { blockProcessingVelocity: 2 } }),
      Prng.fromSeed(5),
    );
    expect(c.genesis.validationCodeHash).not.toBe(a.genesis.validationCodeHash);
    // The genesis state holds `:code`, so its root (and the genesis head) differs too.
    expect(c.genesis.headData).not.toBe(a.genesis.headData);
  });
});

describe("RelayBlockQueue", () => {
  const header = (n: number): RelayHeader => ({
    hash: `0x${n.toString(16).padStart(64, "0")}`,
    number: n,
    parentHash: `0x${"00".repeat(32)}`,
    stateRoot: `0x${"00".repeat(32)}`,
    slot: n,
  });

  it("processes one notification at a time, in order, whether done is sync or deferred", () => {
    const log: string[] = [];
    let deferred: (() => void) | null = null;
    const q = new RelayBlockQueue((h, done) => {
      log.push(`start ${h.number}`);
      if (h.number === 2) deferred = done;
      else done();
    });
    q.push(header(1));
    q.push(header(2));
    q.push(header(3));
    q.push(header(4));
    expect(log).toEqual(["start 1", "start 2"]);
    (deferred as unknown as () => void)();
    expect(log).toEqual(["start 1", "start 2", "start 3", "start 4"]);
  });
});
