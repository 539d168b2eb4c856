/**
 * The simulated relay chain's store keeps every header but the state and runtime API of the
 * last `retainStates` blocks only (and always genesis), so long runs of large networks do not
 * keep ~1.5 MB of relay state per block.
 */
import { describe, expect, it } from "vitest";
import { type Hash, toHex } from "../../src/lib/hex.ts";
import type { RelayHeader, RuntimeApi } from "../../src/primitives/runtime-api.ts";
import { RelayChainStore } from "../../src/sim/relay-chain.ts";

const hashOf = (n: number): Hash =>
  toHex(new Uint8Array(32).fill(0).map((_, i) => (i < 4 ? (n >> (8 * i)) & 255 : 7)));

function header(n: number): RelayHeader {
  return { hash: hashOf(n), number: n, parentHash: hashOf(n - 1), stateRoot: hashOf(n), slot: n };
}

describe("RelayChainStore", () => {
  it("drops the state and API of blocks older than the window, keeps every header and genesis", () => {
    const store = new RelayChainStore<{ n: number }>(10);
    for (let n = 0; n <= 100; n++) {
      const h = header(n);
      store.add({ header: h, state: { n }, api: { header: h } as unknown as RuntimeApi });
    }
    expect(store.length).toBe(101);
    expect(store.tip.state).toEqual({ n: 100 });
    expect(store.at(0)?.state).toEqual({ n: 0 }); // genesis stays
    expect(store.at(90)).toBeUndefined();
    expect(store.get(hashOf(90))).toBeUndefined();
    expect(store.api(hashOf(90))).toBeNull();
    expect(store.header(hashOf(90))?.number).toBe(90); // headers stay
    expect(store.at(91)?.state).toEqual({ n: 91 });
    expect(store.api(hashOf(95))).not.toBeNull();
  });

  it("still refuses blocks out of order", () => {
    const store = new RelayChainStore<number>();
    store.add({ header: header(0), state: 0, api: {} as RuntimeApi });
    expect(() => store.add({ header: header(2), state: 2, api: {} as RuntimeApi })).toThrow(
      /out of order/,
    );
  });
});
