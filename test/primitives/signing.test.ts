import * as sr from "@scure/sr25519";
import { describe, expect, it } from "vitest";
import { InvariantError } from "../../src/lib/assert.ts";
import { fromHex, toHex } from "../../src/lib/hex.ts";
import { blake2b256 } from "../../src/primitives/hashing.ts";
import {
  CRYPTO_KINDS,
  type Crypto,
  cryptoProvider,
  ed25519Crypto,
  interoperable,
  nobleAgree,
  noneCrypto,
  pureCrypto,
  scureVrfVerify,
  sr25519Crypto,
} from "../../src/primitives/signing.ts";

const seedA = fromHex(`0x${"11".repeat(32)}`);
const seedB = fromHex(`0x${"22".repeat(32)}`);
const msg = new TextEncoder().encode("parapipe statement");
const other = new TextEncoder().encode("parapipe statemenT");

describe.each(CRYPTO_KINDS.map((k) => [k, pureCrypto(k)] as const))("%s", (kind, crypto) => {
  it("derives the same keypair from the same seed, different ones from different seeds", () => {
    const a = crypto.keypairFromSeed(seedA);
    expect(a.publicKey.length).toBe(32);
    expect(crypto.keypairFromSeed(seedA)).toEqual(a);
    expect(crypto.keypairFromSeed(seedB).publicKey).not.toEqual(a.publicKey);
    expect(crypto.kind).toBe(kind);
  });

  it("signs 64 bytes that verify under the signer's key", () => {
    const a = crypto.keypairFromSeed(seedA);
    const sig = crypto.sign(a.secretKey, msg);
    expect(sig.length).toBe(64);
    expect(crypto.verify(msg, sig, a.publicKey)).toBe(true);
  });

  it("rejects a wrong key, a wrong message and a tampered signature", () => {
    const a = crypto.keypairFromSeed(seedA);
    const b = crypto.keypairFromSeed(seedB);
    const sig = crypto.sign(a.secretKey, msg);
    expect(crypto.verify(msg, sig, b.publicKey)).toBe(false);
    expect(crypto.verify(other, sig, a.publicKey)).toBe(false);
    const tampered = Uint8Array.from(sig);
    tampered[10] = tampered[10]! ^ 0x40;
    expect(crypto.verify(msg, tampered, a.publicKey)).toBe(false);
  });

  it("returns false (never throws) on malformed signatures and keys", () => {
    const a = crypto.keypairFromSeed(seedA);
    const sig = crypto.sign(a.secretKey, msg);
    expect(crypto.verify(msg, sig.subarray(0, 63), a.publicKey)).toBe(false);
    expect(crypto.verify(msg, sig, a.publicKey.subarray(0, 31))).toBe(false);
    expect(crypto.verify(msg, new Uint8Array(64).fill(0xff), a.publicKey)).toBe(false);
    expect(crypto.verify(msg, sig, new Uint8Array(32).fill(0xff))).toBe(false);
  });

  it("is deterministic: one key and one message give one signature", () => {
    const a = crypto.keypairFromSeed(seedA);
    expect(toHex(crypto.sign(a.secretKey, msg))).toBe(toHex(crypto.sign(a.secretKey, msg)));
    expect(toHex(crypto.sign(a.secretKey, msg))).not.toBe(toHex(crypto.sign(a.secretKey, other)));
  });

  it("asserts the seed length", () => {
    expect(() => crypto.keypairFromSeed(new Uint8Array(31))).toThrow(InvariantError);
  });
});

describe("known answers", () => {
  it("sr25519 keys match substrate's: //Alice's mini secret gives Alice's public key", () => {
    const alice = sr25519Crypto.keypairFromSeed(
      fromHex("0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"),
    );
    expect(toHex(alice.publicKey)).toBe(
      "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
    );
  });

  it("ed25519 matches RFC 8032 test 1", () => {
    const k = ed25519Crypto.keypairFromSeed(
      fromHex("0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
    );
    expect(toHex(k.publicKey)).toBe(
      "0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    expect(toHex(ed25519Crypto.sign(k.secretKey, new Uint8Array(0)))).toBe(
      "0xe5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("modelled signatures are labelled as such", () => {
    expect(noneCrypto.modelled).toBe(true);
    expect(sr25519Crypto.modelled).toBe(false);
    expect(ed25519Crypto.modelled).toBe(false);
  });

  it("signatures of one scheme do not verify under another", () => {
    const sr = sr25519Crypto.keypairFromSeed(seedA);
    const sig = sr25519Crypto.sign(sr.secretKey, msg);
    expect(ed25519Crypto.verify(msg, sig, sr.publicKey)).toBe(false);
    expect(noneCrypto.verify(msg, sig, sr.publicKey)).toBe(false);
  });
});

describe("injection", () => {
  /** A stand-in for a native ed25519 (e.g. node:crypto, built in cli/). */
  const native: Crypto = { ...ed25519Crypto };

  it("a provider prefers the override and falls back to the pure implementations", () => {
    const provider = cryptoProvider({ ed25519: native });
    expect(provider("ed25519")).toBe(native);
    expect(provider("sr25519")).toBe(sr25519Crypto);
    expect(cryptoProvider()("none")).toBe(noneCrypto);
  });

  it("refuses an override registered for another scheme", () => {
    expect(() => cryptoProvider({ sr25519: native })).toThrow(InvariantError);
  });

  it("interoperable accepts an equivalent implementation and explains a broken one", () => {
    expect(interoperable(ed25519Crypto, native)).toBeNull();
    expect(interoperable(sr25519Crypto, sr25519Crypto)).toBeNull();
    expect(interoperable(ed25519Crypto, noneCrypto)).toMatch(/schemes differ/);
    const wrongKeys: Crypto = {
      ...ed25519Crypto,
      keypairFromSeed: (seed) => ed25519Crypto.keypairFromSeed(seed.map((x) => x ^ 1)),
    };
    expect(interoperable(ed25519Crypto, wrongKeys)).toMatch(/public keys differ/);
    const acceptsAll: Crypto = { ...ed25519Crypto, verify: () => true };
    expect(interoperable(ed25519Crypto, acceptsAll)).toMatch(/tampered/);
  });

  it("interoperable checks an sr25519 VRF verification: accepts @scure's proofs, no tampered one", () => {
    const rejectsVrf: Crypto = { ...sr25519Crypto, vrfVerify: () => false };
    expect(interoperable(sr25519Crypto, rejectsVrf)).toMatch(/rejects VRF proof #0/);
    const acceptsVrf: Crypto = { ...sr25519Crypto, vrfVerify: () => true };
    expect(interoperable(sr25519Crypto, acceptsVrf)).toMatch(/VRF proof with a tampered/);
    // One that ignores the extra bytes (binds only ctx and msg) is caught too.
    const ignoresExtra: Crypto = {
      ...sr25519Crypto,
      vrfVerify: (pk, ctx, m, _extra, sig) =>
        [new Uint8Array(0), blake2b256(m)].some((e) => scureVrfVerify(pk, ctx, m, e, sig)),
    };
    expect(interoperable(sr25519Crypto, ignoresExtra)).toMatch(/tampered extra/);
    const wrongAgree: Crypto = {
      ...sr25519Crypto,
      agree: (secretKey, point) =>
        nobleAgree(
          secretKey.map((x) => x ^ 8),
          point,
        ),
    };
    expect(interoperable(sr25519Crypto, wrongAgree)).toMatch(/key agreement differs #0/);
    expect(interoperable(sr25519Crypto, { ...sr25519Crypto, agree: nobleAgree })).toBeNull();
    const edWithVrf: Crypto = { ...ed25519Crypto, vrfVerify: () => true };
    expect(interoperable(ed25519Crypto, edWithVrf)).toMatch(/ed25519 implementation has a VRF/);
  });
});

describe("scureVrfVerify", () => {
  const keys = sr25519Crypto.keypairFromSeed(seedA);
  const ctx = new TextEncoder().encode("ctx");
  const empty = new Uint8Array(0);
  const proof = sr.vrf.sign(msg, keys.secretKey, ctx, empty, new Uint8Array(32));

  it("accepts @scure's proof and rejects another message, context or extra", () => {
    expect(scureVrfVerify(keys.publicKey, ctx, msg, empty, proof)).toBe(true);
    expect(scureVrfVerify(keys.publicKey, ctx, other, empty, proof)).toBe(false);
    expect(scureVrfVerify(keys.publicKey, msg, msg, empty, proof)).toBe(false);
    expect(scureVrfVerify(keys.publicKey, ctx, msg, Uint8Array.of(0), proof)).toBe(false);
  });

  it("returns false (never throws) on malformed proofs and keys", () => {
    expect(scureVrfVerify(keys.publicKey, ctx, msg, empty, proof.subarray(1))).toBe(false);
    expect(scureVrfVerify(keys.publicKey.subarray(1), ctx, msg, empty, proof)).toBe(false);
    expect(scureVrfVerify(keys.publicKey, ctx, msg, empty, new Uint8Array(96).fill(0xff))).toBe(
      false,
    );
    expect(scureVrfVerify(new Uint8Array(32).fill(0xff), ctx, msg, empty, proof)).toBe(false);
    const identityOutput = Uint8Array.from(proof).fill(0, 0, 32);
    expect(scureVrfVerify(keys.publicKey, ctx, msg, empty, identityOutput)).toBe(false);
  });
});
