/**
 * The CLI's native crypto (src/cli/native-crypto.ts) against the pure implementations, on random
 * keys and messages (fast-check; a failure prints its seed):
 * - sr25519: @scure's signatures verify with @polkadot/wasm-crypto and wasm-crypto's with @scure;
 *   a tampered message or signature fails in both.
 * - sr25519 VRF: @scure's proofs over the ctx, msg and extra bytes approval-voting/vrf.ts passes
 *   verify with wasm-crypto's `vrfVerify`, wasm-crypto's `vrfSign` gives the same pre-output (so
 *   the same `make_bytes` output) and proofs @scure accepts; tampered ones fail in both. vrf.ts's
 *   `output` through wasm-crypto's key agreement (`sr25519Agree`) is the pure one.
 * - ed25519: node:crypto signs @noble's bytes and verifies as @noble does.
 * - A whole sr25519 run (approval checking on, so VRF certificates are checked) gives the same
 *   report and trace hash with the native provider as with the pure one.
 *
 * This file compiles wasm-crypto (`useNativeCrypto`); the other test files use the pure
 * implementations (vitest isolates each file's modules).
 */
import * as wasm from "@polkadot/wasm-crypto";
import * as scure from "@scure/sr25519";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  nativeCryptoProvider,
  nodeEd25519,
  useNativeCrypto,
  wasmSr25519,
  wasmSr25519Agree,
  wasmSr25519VrfVerify,
} from "../../src/cli/native-crypto.ts";
import { resolveScenario } from "../../src/config/scenario.ts";
import { toHex } from "../../src/lib/hex.ts";
import {
  extraTranscriptBytes,
  makeBytes,
  sr25519Vrf,
  type Transcript,
  transcript,
  transcriptBytes,
} from "../../src/node/core/approval-voting/vrf.ts";
import {
  cryptoProvider,
  ed25519Crypto,
  interoperable,
  nobleAgree,
  pureCrypto,
  scureVrfVerify,
  sr25519Crypto,
} from "../../src/primitives/signing.ts";
import { runScenario } from "../../src/report/run.ts";

const utf8 = new TextEncoder();

beforeAll(async () => {
  await useNativeCrypto();
});

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const at = (bit >>> 3) % out.length;
  out[at] = out[at]! ^ (1 << (bit & 7));
  return out;
}

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const messageArb = fc.uint8Array({ minLength: 1, maxLength: 300 });

/** A transcript as approval voting builds them: a context label, labelled messages. */
const transcriptArb: fc.Arbitrary<Transcript> = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 16 }),
    fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.uint8Array({ maxLength: 40 })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([context, messages]) => transcript(context, ...messages));

/** Bytes from a fast-check draw, for @scure's nonce (vrf.ts draws them from the run's seed). */
const nonceArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("native crypto: which implementation", () => {
  it("agrees with the pure one, and the provider picks it once wasm-crypto is compiled", () => {
    const point = wasmSr25519.keypairFromSeed(new Uint8Array(32).fill(3)).publicKey;
    const secret = sr25519Crypto.keypairFromSeed(new Uint8Array(32).fill(4)).secretKey;
    expect(toHex(wasmSr25519Agree(secret, point))).toBe(toHex(nobleAgree(secret, point)));
    expect(wasm.isReady()).toBe(true);
    expect(interoperable(sr25519Crypto, wasmSr25519)).toBeNull();
    expect(interoperable(ed25519Crypto, nodeEd25519)).toBeNull();
    const provider = nativeCryptoProvider();
    expect(provider("sr25519")).toBe(wasmSr25519);
    expect(provider("ed25519")).toBe(nodeEd25519);
    expect(provider("none")).toBe(pureCrypto("none"));
  });

  it("signs sr25519 with @scure's seeded nonce: the same bytes as the pure implementation", () => {
    const keys = sr25519Crypto.keypairFromSeed(new Uint8Array(32).fill(7));
    const message = utf8.encode("parapipe statement");
    expect(toHex(wasmSr25519.sign(keys.secretKey, message))).toBe(
      toHex(sr25519Crypto.sign(keys.secretKey, message)),
    );
    expect(wasmSr25519.keypairFromSeed(new Uint8Array(32).fill(7))).toEqual(keys);
  });

  it("returns false, never throws, on malformed signatures, proofs and keys", () => {
    const keys = sr25519Crypto.keypairFromSeed(new Uint8Array(32).fill(9));
    const message = utf8.encode("m");
    const sig = sr25519Crypto.sign(keys.secretKey, message);
    expect(wasmSr25519.verify(message, sig.subarray(0, 63), keys.publicKey)).toBe(false);
    expect(wasmSr25519.verify(message, sig, keys.publicKey.subarray(1))).toBe(false);
    expect(wasmSr25519.verify(message, new Uint8Array(64).fill(0xff), keys.publicKey)).toBe(false);
    expect(wasmSr25519.verify(message, sig, new Uint8Array(32).fill(0xff))).toBe(false);
    const ctx = utf8.encode("c");
    const proof = scure.vrf.sign(message, keys.secretKey, ctx, new Uint8Array(0), sig.slice(0, 32));
    const empty = new Uint8Array(0);
    expect(wasmSr25519VrfVerify(keys.publicKey, ctx, message, empty, proof)).toBe(true);
    expect(wasmSr25519VrfVerify(keys.publicKey, ctx, message, empty, proof.subarray(1))).toBe(
      false,
    );
    expect(wasmSr25519VrfVerify(keys.publicKey.subarray(1), ctx, message, empty, proof)).toBe(
      false,
    );
    const ones = new Uint8Array(96).fill(0xff);
    expect(wasmSr25519VrfVerify(keys.publicKey, ctx, message, empty, ones)).toBe(false);
    const identity = Uint8Array.from(proof).fill(0, 0, 32);
    expect(wasmSr25519VrfVerify(keys.publicKey, ctx, message, empty, identity)).toBe(false);
  });
});

describe("sr25519 signatures: @scure and wasm-crypto interoperate", () => {
  it("each verifies the other's signatures and rejects tampered ones", () => {
    fc.assert(
      fc.property(seedArb, messageArb, nonceArb, fc.nat(), (seed, message, nonce, bit) => {
        const { secretKey, publicKey } = sr25519Crypto.keypairFromSeed(seed);
        const pair = wasm.sr25519KeypairFromSeed(seed);
        expect(toHex(pair.subarray(64))).toBe(toHex(publicKey));
        const byScure = scure.sign(secretKey, message, nonce);
        const byWasm = wasm.sr25519Sign(publicKey, secretKey, message);
        expect(wasmSr25519.verify(message, byScure, publicKey)).toBe(true);
        expect(sr25519Crypto.verify(message, byWasm, publicKey)).toBe(true);
        for (const sig of [byScure, byWasm]) {
          const badSig = flip(sig, bit % 512);
          const badMessage = flip(message, bit);
          expect(wasmSr25519.verify(badMessage, sig, publicKey)).toBe(false);
          expect(sr25519Crypto.verify(badMessage, sig, publicKey)).toBe(false);
          expect(wasmSr25519.verify(message, badSig, publicKey)).toBe(false);
          expect(sr25519Crypto.verify(message, badSig, publicKey)).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("sr25519 VRFs: @scure and wasm-crypto interoperate", () => {
  it("agree on proofs, pre-outputs and rejections over vrf.ts's bytes", () => {
    fc.assert(
      fc.property(
        seedArb,
        transcriptArb,
        fc.option(transcriptArb, { nil: undefined }),
        nonceArb,
        fc.nat(),
        (seed, t, extra, nonce, bit) => {
          const keypair = sr25519Crypto.keypairFromSeed(seed);
          const { secretKey, publicKey } = keypair;
          // The bytes vrf.ts hands @scure: ctx = the context label, msg = the serialised
          // messages, extra = the serialised extra transcript (context first), or nothing.
          const ctx = utf8.encode(t.context);
          const msg = transcriptBytes(t);
          const extraBytes = extraTranscriptBytes(extra);
          const byScure = scure.vrf.sign(msg, secretKey, ctx, extraBytes, nonce);
          const byWasm = wasm.vrfSign(secretKey, ctx, msg, extraBytes);
          // The same pre-output, whoever signs (the nonce changes the proof only). @scure's
          // verification as signing.ts wraps it (its raw `vrf.verify` throws on bad points).
          expect(toHex(byWasm.subarray(0, 32))).toBe(toHex(byScure.subarray(0, 32)));
          expect(wasmSr25519VrfVerify(publicKey, ctx, msg, extraBytes, byScure)).toBe(true);
          expect(scureVrfVerify(publicKey, ctx, msg, extraBytes, byWasm)).toBe(true);

          // Through vrf.ts: a proof it makes verifies with either verification, and the output
          // is make_bytes of the pre-output wasm-crypto computes.
          const pure = sr25519Vrf(() => nonce);
          const fast = sr25519Vrf(() => nonce, wasmSr25519);
          const signed = pure.evaluate(keypair, t, "out", extra);
          expect(toHex(signed.proof)).toBe(toHex(byScure));
          expect(toHex(signed.output)).toBe(toHex(makeBytes(byWasm.subarray(0, 32), "out")));
          expect(toHex(pure.output(keypair, t, "out"))).toBe(toHex(signed.output));
          expect(toHex(fast.output(keypair, t, "out"))).toBe(toHex(signed.output));
          expect(fast.verify(publicKey, t, "out", signed.output, signed.proof, extra)).toBe(true);
          expect(pure.verify(publicKey, t, "out", signed.output, signed.proof, extra)).toBe(true);

          // Tampered: a bit of the proof (pre-output or c or s), of the message, of the extra.
          for (const proof of [byScure, byWasm]) {
            const badProof = flip(proof, bit % 768);
            expect(wasmSr25519VrfVerify(publicKey, ctx, msg, extraBytes, badProof)).toBe(false);
            expect(scureVrfVerify(publicKey, ctx, msg, extraBytes, badProof)).toBe(false);
            const badMsg = flip(msg, bit);
            expect(wasmSr25519VrfVerify(publicKey, ctx, badMsg, extraBytes, proof)).toBe(false);
            expect(scureVrfVerify(publicKey, ctx, badMsg, extraBytes, proof)).toBe(false);
            const badExtra = extraBytes.length === 0 ? Uint8Array.of(0) : flip(extraBytes, bit);
            expect(wasmSr25519VrfVerify(publicKey, ctx, msg, badExtra, proof)).toBe(false);
            expect(scureVrfVerify(publicKey, ctx, msg, badExtra, proof)).toBe(false);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("ed25519: node:crypto and @noble", () => {
  it("sign the same bytes and verify alike", () => {
    fc.assert(
      fc.property(seedArb, messageArb, fc.nat(), (seed, message, bit) => {
        const { secretKey, publicKey } = ed25519Crypto.keypairFromSeed(seed);
        const sig = ed25519Crypto.sign(secretKey, message);
        expect(toHex(nodeEd25519.sign(secretKey, message))).toBe(toHex(sig));
        expect(nodeEd25519.verify(message, sig, publicKey)).toBe(true);
        const badSig = flip(sig, bit % 512);
        expect(nodeEd25519.verify(message, badSig, publicKey)).toBe(
          ed25519Crypto.verify(message, badSig, publicKey),
        );
        expect(nodeEd25519.verify(flip(message, bit), sig, publicKey)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe("a whole sr25519 run", () => {
  it("gives the same report and trace hash with the native provider as with the pure one", () => {
    // elastic-3: not every checker is in tranche 0, so the VRF outputs and certificates matter.
    const r = resolveScenario({ preset: "elastic-3", crypto: "sr25519", relayBlocks: 4 });
    if (!r.ok) throw new Error(r.error.join("; "));
    const scenario = { ...r.value, warmupRelayBlocks: 2 };
    let vrfChecks = 0;
    let agreements = 0;
    const counting = cryptoProvider({
      sr25519: {
        ...wasmSr25519,
        vrfVerify: (...args) => {
          vrfChecks++;
          return wasmSr25519VrfVerify(...args);
        },
        agree: (...args) => {
          agreements++;
          return wasmSr25519Agree(...args);
        },
      },
    });
    const native = runScenario(scenario, { crypto: counting }).report;
    const pure = runScenario(scenario, { crypto: cryptoProvider({}) }).report;
    expect(vrfChecks).toBeGreaterThan(0);
    expect(agreements).toBeGreaterThan(0);
    expect(native.traceHash).toBe(pure.traceHash);
    expect(JSON.stringify(native)).toBe(JSON.stringify(pure));
  });
});
