/**
 * The WebAssembly BLAKE2b-256 the commands install (`useFastHashing`) computes exactly what
 * @noble/hashes computes, on inputs of every size class (so installing it cannot change a run).
 */
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex.ts";
import { blake2b256, useFastHashing } from "../../src/primitives/hashing.ts";

describe("blake2b256", () => {
  it("with the WebAssembly hasher installed, equals noble's blake2b-256 on random inputs", async () => {
    await useFastHashing();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 5000 }), (data) => {
        expect(toHex(blake2b256(data))).toBe(toHex(blake2b(data, { dkLen: 32 })));
      }),
      { numRuns: 300 },
    );
    // Long inputs (several WebAssembly buffer fills) and the empty input.
    const big = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 31) & 0xff);
    expect(toHex(blake2b256(big))).toBe(toHex(blake2b(big, { dkLen: 32 })));
    expect(toHex(blake2b256(new Uint8Array(0)))).toBe(
      "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
    );
  });
});
