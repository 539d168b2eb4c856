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
 * Invariants: `verify` never throws on malformed input (wrong lengths, invalid points): it returns
 * false. `sign` asserts the secret key's length (a wrong key is a parapipe bug).
 *
 * Injection: `cryptoProvider({ ed25519: nativeEd25519 })` returns a `CryptoProvider` that prefers
 * the injected implementation; `interoperable(reference, candidate)` lets the injector check that a
 * native implementation derives the same keys and accepts the same signatures.
 *
 * Ref: substrate sp-core sr25519.rs / ed25519.rs (`Pair::from_seed`, `sign`, `verify`);
 *      polkadot/primitives/src/v9/signed.rs (validators sign with sr25519).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
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

export interface Crypto {
  readonly kind: CryptoKind;
  /** True when signatures are modelled (not unforgeable): the `none` scheme. */
  readonly modelled: boolean;
  keypairFromSeed(seed: Uint8Array): Keypair;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
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
 * seeds: same public keys, and each accepts the other's signatures and rejects a tampered one.
 * Returns what differed, or null. Meant for `cli/` when it injects a native implementation.
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
  }
  return null;
}
