/** Hex decoding: `fromHex` accepts exactly what `isHex` accepts and inverts `toHex`. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromHex, isHex, toHex } from "../../src/lib/hex.ts";

describe("fromHex", () => {
  it("inverts toHex, upper or lower case", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const hex = toHex(bytes);
        expect(fromHex(hex)).toEqual(bytes);
        expect(fromHex(`0x${hex.slice(2).toUpperCase()}`)).toEqual(bytes);
      }),
    );
  });

  it("throws exactly on what isHex refuses", () => {
    const chars = fc.constantFrom(..."0123456789abcdefABCDEFxXg _-".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }), fc.boolean(), (cs, prefixed) => {
        const s = (prefixed ? "0x" : "") + cs.join("");
        if (isHex(s)) expect(fromHex(s)).toHaveLength((s.length - 2) / 2);
        else expect(() => fromHex(s)).toThrow(/not a 0x-hex byte string/);
      }),
      { numRuns: 2000 },
    );
  });
});
