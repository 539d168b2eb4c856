import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex.ts";
import { blake2b256 } from "../../src/primitives/hashing.ts";
import {
  collatorKeypair,
  publicKeyHex,
  seedFromLabel,
  validatorKeypair,
  validatorKeypairs,
  validatorLabel,
} from "../../src/primitives/keys.ts";
import { ed25519Crypto, noneCrypto, sr25519Crypto } from "../../src/primitives/signing.ts";

describe("deterministic keys", () => {
  it("a label's seed is blake2b256 of its UTF-8 bytes", () => {
    expect(validatorLabel(3)).toBe("parapipe/validator/3");
    expect(toHex(seedFromLabel("parapipe/validator/3"))).toBe(
      toHex(blake2b256(new TextEncoder().encode("parapipe/validator/3"))),
    );
  });

  it("gives every validator its own key, the same on every call", () => {
    for (const crypto of [sr25519Crypto, ed25519Crypto, noneCrypto]) {
      const keys = validatorKeypairs(crypto, 5).map(publicKeyHex);
      expect(new Set(keys).size).toBe(5);
      expect(publicKeyHex(validatorKeypair(crypto, 3))).toBe(keys[3]);
    }
  });

  it("separates validators from collators and collators of different paras", () => {
    const v0 = publicKeyHex(validatorKeypair(sr25519Crypto, 0));
    const c0 = publicKeyHex(collatorKeypair(sr25519Crypto, 2000));
    const c1 = publicKeyHex(collatorKeypair(sr25519Crypto, 2001));
    const c2 = publicKeyHex(collatorKeypair(sr25519Crypto, 2000, 1));
    expect(new Set([v0, c0, c1, c2]).size).toBe(4);
  });
});
