/**
 * The world runs the real signature check once per distinct signed object, however many
 * simulated nodes check it (each of them is charged the check's CPU time in virtual time), and
 * gives every checker the same answer.
 */
import { describe, expect, it } from "vitest";
import { resolveScenario } from "../../src/config/scenario.ts";
import { toHex } from "../../src/lib/hex.ts";
import { type Crypto, pureCrypto } from "../../src/primitives/signing.ts";
import { World } from "../../src/sim/world.ts";

describe("World.verify", () => {
  it("checks each signed object for real once, and every bitfield and statement is checked", () => {
    const r = resolveScenario({ preset: "async", crypto: "none", relayBlocks: 6 });
    if (!r.ok) throw new Error(r.error.join());
    const checked = new Map<Uint8Array, Set<string>>();
    let realChecks = 0;
    let repeats = 0;
    const counting = (kind: Parameters<typeof pureCrypto>[0]): Crypto => {
      const inner = pureCrypto(kind);
      return {
        ...inner,
        verify(message, signature, publicKey) {
          realChecks++;
          const what = `${toHex(message)}/${toHex(publicKey)}`;
          const seen = checked.get(signature) ?? new Set<string>();
          if (seen.has(what)) repeats++;
          seen.add(what);
          checked.set(signature, seen);
          return inner.verify(message, signature, publicKey);
        },
      };
    };
    const world = new World(r.value, { crypto: counting });
    world.run();
    expect(repeats).toBe(0);
    // Bitfields (12 validators x 11 blocks, read by the authors and the runtime) and statements
    // were checked: the memo did not skip the real checks altogether.
    expect(realChecks).toBeGreaterThan(100);
    // Every relay block carried bitfields whose signatures the runtime accepted.
    const last = world.relayBlocks.at(-1)!;
    expect(last.accepted.bitfields.length).toBeGreaterThan(r.value.relay.validators / 2);
    expect(world.violations).toEqual([]);
  });
});
