/**
 * Signing, as an interface chosen per scenario (STYLE.md: crypto is handed in, the pure
 * implementations work everywhere, a native one can be injected by `cli/`).
 *
 * Three schemes, all with 32-byte seeds, 32-byte public keys and 64-byte signatures:
 * - `sr25519` (Polkadot's validator and collator keys) via @scure/sr25519. Keys: the seed is a
 *   schnorrkel mini secret key expanded in Ed25519 mode (`secretFromSeed`, as substrate's
 *   `sr25519::Pair::from_seed`); the secret key is 64 bytes. Signatures use the "substrate" signing
 *   context, so they verify in substrate. DEPARTURE: schnorrkel signing is randomised; here the 32
 *   random bytes are `blake2b256(secretKey ‖ message)`, so one key and one message always give the
 *   same signature (a seed replays exactly). They are still valid sr25519 signatures.
 * - `ed25519` (RFC 8032, deterministic) via @noble/curves. The secret key is the 32-byte seed.
 * - `none`: MODELLED signatures for large simulations, no cryptography: the public key is
 *   `blake2b256("parapipe/none/public" ‖ seed)`, a signature is blake2b-512 of
 *   `publicKey ‖ message`, and verification recomputes it. Anyone can forge one; it only models
 *   that a signature binds a message to a key (wrong key or wrong message → rejected).
 *
 * sr25519 also carries two operations of its VRF for approval assignments
 * (node/core/approval-voting/vrf.ts): `vrfVerify` (schnorrkel's `vrf_verify_extra` on raw bytes;
 * the pure one is @scure/sr25519's `vrf.verify`) and, optionally, `agree` (schnorrkel's key
 * agreement, `secret · point`: a VRF's pre-output is its input point times the key; absent, vrf.ts
 * multiplies with @noble/curves). Both are deterministic, so a native one can be injected; a VRF
 * proof is always made with @scure and a seeded nonce (vrf.ts), so it replays exactly.
 *
 * Invariants: `verify` and `vrfVerify` never throw on malformed input (wrong lengths, invalid
 * points): they return false. `sign` asserts the secret key's length (a wrong key is a parapipe
 * bug).
 *
 * Injection: `cryptoProvider({ ed25519: nodeEd25519 })` returns a `CryptoProvider` that prefers
 * the injected implementation; `interoperable(reference, candidate)` lets the injector check that a
 * native implementation derives the same keys and accepts the same signatures and VRF proofs.
 *
 * Ref: substrate sp-core sr25519.rs / ed25519.rs (`Pair::from_seed`, `sign`, `verify`);
 *      polkadot/primitives/src/v9/signed.rs (validators sign with sr25519).
 */
import { ed25519, ristretto255, ristretto255_hasher } from "@noble/curves/ed25519.js";
import { bytesToNumberLE } from "@noble/curves/utils.js";
import { blake2b } from "@noble/hashes/blake2.js";
import * as sr from "@scure/sr25519";
import { assert } from "../lib/assert.ts";
import { bytesEqual, concatBytes } from "../lib/hex.ts";
import { getOrInsertComputed } from "../lib/memo.ts";
import { blake2b256 } from "./hashing.ts";

export type CryptoKind = "sr25519" | "ed25519" | "none";

export const CRYPTO_KINDS: readonly CryptoKind[] = ["sr25519", "ed25519", "none"];

export const SEED_BYTES = 32;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export interface Keypair {
  readonly publicKey: Uint8Array;
  /** Scheme-specific: 64 bytes for sr25519, the 32-byte seed for ed25519 and none. */
  readonly secretKey: Uint8Array;
}

/**
 * schnorrkel's VRF verification on raw bytes, in the argument order of wasm-crypto's `vrfVerify`:
 * whether `signature` (pre-output(32) ‖ c(32) ‖ s(32)) is `publicKey`'s VRF on
 * `signing_context(context).bytes(message)`, its proof binding the extra transcript
 * `Transcript::new(b"VRF")` fed `extra` (nothing when `extra` is empty). Never throws.
 */
export type Sr25519VrfVerify = (
  publicKey: Uint8Array,
  context: Uint8Array,
  message: Uint8Array,
  extra: Uint8Array,
  signature: Uint8Array,
) => boolean;

/**
 * schnorrkel's key agreement on encodings (`SecretKey::aggreement`, wasm-crypto's `sr25519Agree`):
 * the ristretto255 point `point` times the scalar of the 64-byte `secretKey` (ed25519 form, as
 * `keypairFromSeed` makes it), encoded. Asserts that `point` decodes (callers hash to it).
 */
export type Sr25519Agree = (secretKey: Uint8Array, point: Uint8Array) => Uint8Array;

export interface Crypto {
  readonly kind: CryptoKind;
  /** True when signatures are modelled (not unforgeable): the `none` scheme. */
  readonly modelled: boolean;
  keypairFromSeed(seed: Uint8Array): Keypair;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  /** sr25519 only: the VRF verification (see the header); the other schemes have no VRF. */
  readonly vrfVerify?: Sr25519VrfVerify;
  /** sr25519 only, optional: the key agreement computing a VRF's pre-output (see the header). */
  readonly agree?: Sr25519Agree;
}

/** Chooses the implementation of a scheme; `cli/` may build one with native overrides. */
export type CryptoProvider = (kind: CryptoKind) => Crypto;

function assertSeed(seed: Uint8Array): void {
  assert(seed.length === SEED_BYTES, () => `a seed is ${SEED_BYTES} bytes, got ${seed.length}`);
}

function wellFormed(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === SIGNATURE_BYTES && publicKey.length === PUBLIC_KEY_BYTES;
}

const SR25519_SECRET_BYTES = 64;
const SR25519_VRF_SIGNATURE_BYTES = 96;

/** @scure/sr25519's `vrf.verify`, as an `Sr25519VrfVerify`: the pure VRF verification. */
export const scureVrfVerify: Sr25519VrfVerify = (publicKey, context, message, extra, signature) => {
  if (signature.length !== SR25519_VRF_SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) {
    return false;
  }
  try {
    return sr.vrf.verify(message, signature, publicKey, context, extra);
  } catch {
    // Non-canonical scalars or points, the identity as output: not a valid proof.
    return false;
  }
};

/** The secret scalar of an sr25519 secret key (ed25519 form): its first 32 bytes LE, / cofactor. */
function sr25519Scalar(secretKey: Uint8Array): bigint {
  return bytesToNumberLE(secretKey.subarray(0, 32)) >> 3n;
}

/** `Sr25519Agree` with @noble/curves: the reference `interoperable` checks a native one against. */
export const nobleAgree: Sr25519Agree = (secretKey, point) =>
  ristretto255.Point.fromBytes(point).multiply(sr25519Scalar(secretKey)).toBytes();

export const sr25519Crypto: Crypto = {
  kind: "sr25519",
  modelled: false,
  keypairFromSeed(seed) {
    assertSeed(seed);
    const secretKey = sr.secretFromSeed(seed);
    return { publicKey: sr.getPublicKey(secretKey), secretKey };
  },
  sign(secretKey, message) {
    assert(
      secretKey.length === SR25519_SECRET_BYTES,
      () => `an sr25519 secret key is ${SR25519_SECRET_BYTES} bytes, got ${secretKey.length}`,
    );
    // Deterministic nonce randomness: see the header.
    const random = blake2b256(concatBytes(secretKey, message));
    return sr.sign(secretKey, message, random);
  },
  verify(message, signature, publicKey) {
    if (!wellFormed(signature, publicKey)) return false;
    try {
      return sr.verify(message, signature, publicKey);
    } catch {
      // Malformed signature marker or point encoding: not a valid signature.
      return false;
    }
  },
  vrfVerify: scureVrfVerify,
};

export const ed25519Crypto: Crypto = {
  kind: "ed25519",
  modelled: false,
  keypairFromSeed(seed) {
    assertSeed(seed);
    const secretKey = Uint8Array.from(seed);
    return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
  },
  sign(secretKey, message) {
    assert(
      secretKey.length === SEED_BYTES,
      () => `an ed25519 secret key is ${SEED_BYTES} bytes, got ${secretKey.length}`,
    );
    return ed25519.sign(message, secretKey);
  },
  verify(message, signature, publicKey) {
    if (!wellFormed(signature, publicKey)) return false;
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};

const NONE_PUBLIC_DOMAIN = new TextEncoder().encode("parapipe/none/public");

/** Public keys by secret-key object: a node signs ~100 statements a block with one key. */
const nonePublicKeys = new WeakMap<Uint8Array, Uint8Array>();

function nonePublicKey(secretKey: Uint8Array): Uint8Array {
  return getOrInsertComputed(nonePublicKeys, secretKey, (sk) =>
    blake2b256(concatBytes(NONE_PUBLIC_DOMAIN, sk)),
  );
}

function noneSignature(publicKey: Uint8Array, message: Uint8Array): Uint8Array {
  return blake2b(concatBytes(publicKey, message), { dkLen: SIGNATURE_BYTES });
}

/** Modelled signatures (see the header): binding, not unforgeable. */
export const noneCrypto: Crypto = {
  kind: "none",
  modelled: true,
  keypairFromSeed(seed) {
    assertSeed(seed);
    const secretKey = Uint8Array.from(seed);
    return { publicKey: nonePublicKey(secretKey), secretKey };
  },
  sign(secretKey, message) {
    assert(
      secretKey.length === SEED_BYTES,
      () => `a modelled secret key is ${SEED_BYTES} bytes, got ${secretKey.length}`,
    );
    return noneSignature(nonePublicKey(secretKey), message);
  },
  verify(message, signature, publicKey) {
    if (!wellFormed(signature, publicKey)) return false;
    return bytesEqual(signature, noneSignature(publicKey, message));
  },
};

const PURE: Readonly<Record<CryptoKind, Crypto>> = {
  sr25519: sr25519Crypto,
  ed25519: ed25519Crypto,
  none: noneCrypto,
};

/** The pure (noble / scure / modelled) implementation of a scheme. */
export function pureCrypto(kind: CryptoKind): Crypto {
  return PURE[kind];
}

/**
 * A provider preferring the given implementations (e.g. a `node:crypto` ed25519 built in `cli/`)
 * and falling back to the pure ones. An override must implement the scheme it is registered for.
 */
export function cryptoProvider(
  overrides: Partial<Readonly<Record<CryptoKind, Crypto>>> = {},
): CryptoProvider {
  for (const kind of CRYPTO_KINDS) {
    const o = overrides[kind];
    assert(
      o === undefined || o.kind === kind,
      () => `crypto override for ${kind} implements ${o?.kind}`,
    );
  }
  return (kind) => overrides[kind] ?? PURE[kind];
}

/**
 * Checks that `candidate` implements the same scheme as `reference` on a few deterministic
 * seeds: same public keys, and each accepts the other's signatures and rejects a tampered one;
 * for a candidate with a VRF verification, it accepts @scure's VRF proofs (with and without
 * extra bytes) and rejects a tampered proof, message or extra; a key agreement must give
 * @noble's point. Returns what differed, or null.
 * Meant for `cli/` when it injects a native implementation.
 */
export function interoperable(reference: Crypto, candidate: Crypto): string | null {
  if (reference.kind !== candidate.kind) {
    return `schemes differ: ${reference.kind} vs ${candidate.kind}`;
  }
  for (let i = 0; i < 3; i++) {
    const seed = blake2b256(new TextEncoder().encode(`parapipe/interop/${i}`));
    const message = blake2b256(seed).subarray(0, 8 + i);
    const a = reference.keypairFromSeed(seed);
    const b = candidate.keypairFromSeed(seed);
    if (!bytesEqual(a.publicKey, b.publicKey)) return `public keys differ for seed #${i}`;
    const sa = reference.sign(a.secretKey, message);
    const sb = candidate.sign(b.secretKey, message);
    if (!candidate.verify(message, sa, b.publicKey)) return `candidate rejects signature #${i}`;
    if (!reference.verify(message, sb, a.publicKey)) return `reference rejects signature #${i}`;
    const tampered = Uint8Array.from(message);
    tampered[0] = tampered[0]! ^ 1;
    if (candidate.verify(tampered, sa, b.publicKey)) {
      return `candidate accepts a tampered message #${i}`;
    }
    const problem = vrfInteroperable(candidate, a, message, i);
    if (problem !== null) return problem;
  }
  return null;
}

/** `interoperable`'s VRF part for one key and message (see there); null when it agrees. */
function vrfInteroperable(
  candidate: Crypto,
  keypair: Keypair,
  message: Uint8Array,
  i: number,
): string | null {
  const verify = candidate.vrfVerify;
  const agree = candidate.agree;
  if (verify === undefined && agree === undefined) return null;
  if (candidate.kind !== "sr25519") return `a ${candidate.kind} implementation has a VRF`;
  if (agree !== undefined) {
    const point = ristretto255_hasher.deriveToCurve!(blake2b(message, { dkLen: 64 })).toBytes();
    if (!bytesEqual(agree(keypair.secretKey, point), nobleAgree(keypair.secretKey, point))) {
      return `candidate's key agreement differs #${i}`;
    }
  }
  if (verify === undefined) return null;
  const context = new TextEncoder().encode(`parapipe/interop/vrf/${i}`);
  // Empty extra bytes on even seeds: schnorrkel then binds no extra message at all.
  const extra = i % 2 === 0 ? new Uint8Array(0) : blake2b256(message);
  const random = blake2b256(concatBytes(keypair.secretKey, context));
  const proof = sr.vrf.sign(message, keypair.secretKey, context, extra, random);
  if (!verify(keypair.publicKey, context, message, extra, proof)) {
    return `candidate rejects VRF proof #${i}`;
  }
  const flip = (bytes: Uint8Array, at: number): Uint8Array => {
    const out = Uint8Array.from(bytes);
    out[at] = out[at]! ^ 1;
    return out;
  };
  const tampered: readonly [string, boolean][] = [
    ["pre-output", verify(keypair.publicKey, context, message, extra, flip(proof, 0))],
    ["proof", verify(keypair.publicKey, context, message, extra, flip(proof, 40))],
    ["message", verify(keypair.publicKey, context, flip(message, 0), extra, proof)],
    ["extra", verify(keypair.publicKey, context, message, new Uint8Array([1]), proof)],
  ];
  for (const [what, accepted] of tampered) {
    if (accepted) return `candidate accepts a VRF proof with a tampered ${what} #${i}`;
  }
  return null;
}
