/**
 * The assignment VRFs: the modelled keyed PRF (`prfVrf`) and real sr25519 (`sr25519Vrf`) over a
 * parapipe transcript. Both are deterministic, verify what they evaluate, and reject another key,
 * a tampered output or proof, another transcript and another extra transcript; `extra` never
 * changes the output. The sr25519 proofs are checked with @scure/sr25519's own `vrf.verify`
 * (few of them: a few ms each).
 */
import { vrf as scureVrf } from "@scure/sr25519";
import { describe, expect, it } from "vitest";
import { bytesEqual } from "../../../src/lib/hex.ts";
import { Prng } from "../../../src/lib/prng.ts";
import {
  type AssignmentVrf,
  makeBytes,
  prfVrf,
  sr25519Vrf,
  transcript,
  transcriptBytes,
} from "../../../src/node/core/approval-voting/vrf.ts";
import { keypairFromLabel } from "../../../src/primitives/keys.ts";
import { noneCrypto, sr25519Crypto } from "../../../src/primitives/signing.ts";

const STORY = new Uint8Array(32).fill(42);
const T = transcript("A&V DELAY", ["RC-VRF", STORY], ["core", Uint8Array.of(3, 0, 0, 0)]);
const EXTRA = transcript("A&V ASSIGNED", ["core", Uint8Array.of(3, 0, 0, 0)]);
const CTX = "A&V TRANCHE";

function seededRandom(seed: string): (n: number) => Uint8Array {
  const rng = Prng.fromSeed(seed);
  return (n) => Uint8Array.from({ length: n }, () => rng.uint32() & 0xff);
}

function flipped(bytes: Uint8Array, at = 0): Uint8Array {
  const b = Uint8Array.from(bytes);
  b[at] = b[at]! ^ 1;
  return b;
}

describe("transcripts", () => {
  it("serialise labels and messages length-prefixed, so splits never collide", () => {
    const a = transcriptBytes(transcript("c", ["ab", Uint8Array.of(1)]));
    const b = transcriptBytes(transcript("c", ["a", Uint8Array.of(98, 1)]));
    expect(bytesEqual(a, b)).toBe(false);
    expect([...a]).toEqual([2, 0, 0, 0, 97, 98, 1, 0, 0, 0, 1]);
  });
});

describe("prfVrf (modelled)", () => {
  const alice = keypairFromLabel(noneCrypto, "parapipe/assignment/0");
  const bob = keypairFromLabel(noneCrypto, "parapipe/assignment/1");

  it("is deterministic, and its output depends on key, transcript and output context", () => {
    const a = prfVrf.evaluate(alice, T, CTX);
    expect(prfVrf.evaluate(alice, T, CTX)).toEqual(a);
    expect(a.output).toHaveLength(32);
    expect(bytesEqual(prfVrf.evaluate(bob, T, CTX).output, a.output)).toBe(false);
    expect(bytesEqual(prfVrf.evaluate(alice, T, "A&V CORE").output, a.output)).toBe(false);
    const other = transcript("A&V DELAY", ["RC-VRF", STORY], ["core", Uint8Array.of(4, 0, 0, 0)]);
    expect(bytesEqual(prfVrf.evaluate(alice, other, CTX).output, a.output)).toBe(false);
  });

  it("extra binds the proof, not the output", () => {
    const plain = prfVrf.evaluate(alice, T, CTX);
    const withExtra = prfVrf.evaluate(alice, T, CTX, EXTRA);
    expect(withExtra.output).toEqual(plain.output);
    expect(bytesEqual(withExtra.proof, plain.proof)).toBe(false);
  });

  it("verifies what it evaluates and rejects every tampering", () => {
    expectVerifies(prfVrf, alice.publicKey, bob.publicKey, prfVrf.evaluate(alice, T, CTX, EXTRA));
    expect(prfVrf.isPublicKey(alice.publicKey)).toBe(true);
    expect(prfVrf.isPublicKey(alice.publicKey.subarray(1))).toBe(false);
    expect(
      prfVrf.verify(alice.publicKey.subarray(1), T, CTX, new Uint8Array(32), new Uint8Array(32)),
    ).toBe(false);
  });
});

/** `sig` is `publicKey`'s VRF of (T, CTX, EXTRA): accepted as is, rejected when anything changes. */
function expectVerifies(
  vrf: AssignmentVrf,
  publicKey: Uint8Array,
  otherKey: Uint8Array,
  sig: { output: Uint8Array; proof: Uint8Array },
): void {
  expect(vrf.verify(publicKey, T, CTX, sig.output, sig.proof, EXTRA)).toBe(true);
  expect(vrf.verify(otherKey, T, CTX, sig.output, sig.proof, EXTRA)).toBe(false);
  expect(vrf.verify(publicKey, T, CTX, flipped(sig.output), sig.proof, EXTRA)).toBe(false);
  expect(
    vrf.verify(publicKey, T, CTX, sig.output, flipped(sig.proof, sig.proof.length - 1), EXTRA),
  ).toBe(false);
  expect(vrf.verify(publicKey, T, "A&V CORE", sig.output, sig.proof, EXTRA)).toBe(false);
  expect(vrf.verify(publicKey, T, CTX, sig.output, sig.proof)).toBe(false);
  const otherExtra = transcript("A&V ASSIGNED", ["core", Uint8Array.of(4, 0, 0, 0)]);
  expect(vrf.verify(publicKey, T, CTX, sig.output, sig.proof, otherExtra)).toBe(false);
  const otherStory = transcript(
    "A&V DELAY",
    ["RC-VRF", flipped(STORY)],
    ["core", Uint8Array.of(3, 0, 0, 0)],
  );
  expect(vrf.verify(publicKey, otherStory, CTX, sig.output, sig.proof, EXTRA)).toBe(false);
}

describe("sr25519Vrf (real)", () => {
  const alice = keypairFromLabel(sr25519Crypto, "parapipe/assignment/0");
  const bob = keypairFromLabel(sr25519Crypto, "parapipe/assignment/1");

  it("same seed, same bytes; another seed changes the proof, never the output", () => {
    const a = sr25519Vrf(seededRandom("seed A")).evaluate(alice, T, CTX, EXTRA);
    const again = sr25519Vrf(seededRandom("seed A")).evaluate(alice, T, CTX, EXTRA);
    const b = sr25519Vrf(seededRandom("seed B")).evaluate(alice, T, CTX, EXTRA);
    expect(again).toEqual(a);
    expect(b.output).toEqual(a.output);
    expect(bytesEqual(b.proof, a.proof)).toBe(false);
    // The output is make_bytes of the pre-output point, the signature's first 32 bytes.
    expect(a.proof).toHaveLength(96);
    expect(a.output).toEqual(makeBytes(a.proof.subarray(0, 32), CTX));
    expect(bytesEqual(makeBytes(a.proof.subarray(0, 32), "A&V CORE"), a.output)).toBe(false);
  });

  it("is a real VRF: @scure's verify accepts the proof, and rejects it under another key", () => {
    const sig = sr25519Vrf(seededRandom("scure")).evaluate(alice, T, CTX, EXTRA);
    const msg = transcriptBytes(T);
    const ctx = new TextEncoder().encode(T.context);
    const extraBytes = new Uint8Array([
      ...[12, 0, 0, 0],
      ...new TextEncoder().encode("A&V ASSIGNED"),
      ...transcriptBytes(EXTRA),
    ]);
    expect(scureVrf.verify(msg, sig.proof, alice.publicKey, ctx, extraBytes)).toBe(true);
    expect(scureVrf.verify(msg, sig.proof, bob.publicKey, ctx, extraBytes)).toBe(false);
    // Bob's own VRF on the same input has another output.
    const bobs = sr25519Vrf(seededRandom("scure")).evaluate(bob, T, CTX, EXTRA);
    expect(bytesEqual(bobs.output, sig.output)).toBe(false);
  });

  it("verifies what it evaluates and rejects every tampering", () => {
    const vrf = sr25519Vrf(seededRandom("tamper"));
    expectVerifies(vrf, alice.publicKey, bob.publicKey, vrf.evaluate(alice, T, CTX, EXTRA));
    expect(vrf.isPublicKey(new Uint8Array(32).fill(0xff))).toBe(false);
    expect(vrf.verify(alice.publicKey, T, CTX, new Uint8Array(32), new Uint8Array(96))).toBe(false);
  });

  it("refuses a secret key that is not sr25519's", () => {
    const vrf = sr25519Vrf(seededRandom("x"));
    const modelled = keypairFromLabel(noneCrypto, "parapipe/assignment/0");
    expect(() => vrf.evaluate(modelled, T, CTX)).toThrow(/sr25519 secret key/);
  });

  it("output() is evaluate()'s output without the proof, on random keys and transcripts", () => {
    const rng = Prng.fromSeed("vrf output only");
    for (let i = 0; i < 12; i++) {
      const key = keypairFromLabel(sr25519Crypto, `parapipe/output-only/${rng.uint32()}`);
      const story = Uint8Array.from({ length: 32 }, () => rng.uint32() & 0xff);
      const t = transcript("A&V MOD", ["RC-VRF", story], ["sample", Uint8Array.of(i, 0, 0, 0)]);
      const vrf = sr25519Vrf(seededRandom(`output ${i}`));
      expect(vrf.output(key, t, "A&V CORE")).toEqual(
        vrf.evaluate(key, t, "A&V CORE", EXTRA).output,
      );
    }
    // A wrong secret (another key's) gives another output.
    expect(
      bytesEqual(
        sr25519Vrf(seededRandom("o")).output(bob, T, CTX),
        sr25519Vrf(seededRandom("o")).output(alice, T, CTX),
      ),
    ).toBe(false);
  });
});

describe("prfVrf output()", () => {
  it("is evaluate()'s output", () => {
    const key = keypairFromLabel(noneCrypto, "parapipe/assignment/0");
    expect(prfVrf.output(key, T, CTX)).toEqual(prfVrf.evaluate(key, T, CTX, EXTRA).output);
  });
});
