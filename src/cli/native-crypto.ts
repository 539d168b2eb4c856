/**
 * Native crypto for the CLI: the fastest implementation of each operation that gives the same
 * answers as the pure one (bench/crypto.ts measures them: `npm run bench -- --only crypto`), each
 * used only after `interoperable` has checked it against the pure one at start.
 *
 * - ed25519 sign and verify: `node:crypto` (OpenSSL; about 15x faster than @noble). RFC 8032
 *   signing is deterministic, so native signatures are the pure ones, byte for byte.
 * - sr25519 verify and VRF verify: `@polkadot/wasm-crypto` (schnorrkel compiled to WebAssembly,
 *   what polkadot.js uses; about 5x faster than @scure/sr25519), and the VRF output's scalar
 *   multiplication (schnorrkel's key agreement, `sr25519Agree`, which makes vrf.ts's `output`
 *   about 2x faster than with @noble's). sr25519 signing and VRF proofs stay with
 *   @scure and the seeded nonce (src/primitives/signing.ts, approval-voting/vrf.ts):
 *   wasm-crypto's `sr25519Sign` and `vrfSign` draw their nonce from a generator inside the
 *   WebAssembly seeded by the OS, so a seed would not replay the same bytes. Keys stay @scure's
 *   too (derived once per validator).
 * - The modelled mode (`none`) stays the pure implementation.
 *
 * WebAssembly compiles asynchronously: `useNativeCrypto()` is awaited once at start (the CLI's
 * preAction hook, bench/main.ts). Before it (as in the tests), `nativeCryptoProvider()` gives the
 * pure sr25519; the answers are the same either way, so a run's report and trace hash are too.
 * Each native implementation is checked (`interoperable`) when a run first asks for its scheme,
 * so a command that signs nothing pays nothing.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import {
  sr25519Agree as wasmSr25519AgreeRaw,
  sr25519Verify as wasmSr25519Verify,
  vrfVerify as wasmVrfVerify,
  waitReady as wasmWaitReady,
} from "@polkadot/wasm-crypto";
import { assertNever } from "../lib/assert.ts";
import {
  type Crypto,
  type CryptoProvider,
  ed25519Crypto,
  interoperable,
  pureCrypto,
  type Sr25519Agree,
  type Sr25519VrfVerify,
  sr25519Crypto,
} from "../primitives/signing.ts";

// PKCS#8 / SPKI DER prefixes of a raw 32-byte ed25519 key.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

// Parsing a DER key into a `KeyObject` costs more than the signature itself: keep one per key
// object (keys are immutable byte arrays; a `WeakMap` lets them go with their owner).
const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new WeakMap<Uint8Array, KeyObject>();

/** ed25519 through `node:crypto` (see the header). */
export const nodeEd25519: Crypto = {
  ...ed25519Crypto,
  sign(secretKey, message) {
    let key = privateKeys.get(secretKey);
    if (key === undefined) {
      key = createPrivateKey({
        key: Buffer.concat([PKCS8_PREFIX, secretKey.subarray(0, 32)]),
        format: "der",
        type: "pkcs8",
      });
      privateKeys.set(secretKey, key);
    }
    return new Uint8Array(nodeSign(null, message, key));
  },
  verify(message, signature, publicKey) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      let key = publicKeys.get(publicKey);
      if (key === undefined) {
        key = createPublicKey({
          key: Buffer.concat([SPKI_PREFIX, publicKey]),
          format: "der",
          type: "spki",
        });
        publicKeys.set(publicKey, key);
      }
      return nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  },
};

/** wasm-crypto's `vrfVerify` (schnorrkel's `vrf_verify_extra`); needs `useNativeCrypto()` first. */
export const wasmSr25519VrfVerify: Sr25519VrfVerify = (
  publicKey,
  context,
  message,
  extra,
  signature,
) => {
  if (publicKey.length !== 32 || signature.length !== 96) return false;
  try {
    return wasmVrfVerify(publicKey, context, message, extra, signature);
  } catch {
    return false;
  }
};

/** wasm-crypto's `sr25519Agree` (schnorrkel's key agreement); needs `useNativeCrypto()` first. */
export const wasmSr25519Agree: Sr25519Agree = (secretKey, point) =>
  wasmSr25519AgreeRaw(point, secretKey);

/**
 * sr25519 verifying in WebAssembly (signature and VRF) and multiplying VRF inputs there, signing
 * with @scure and the seeded nonce (see the header); needs `useNativeCrypto()` first.
 */
export const wasmSr25519: Crypto = {
  ...sr25519Crypto,
  verify(message, signature, publicKey) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return wasmSr25519Verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
  vrfVerify: wasmSr25519VrfVerify,
  agree: wasmSr25519Agree,
};

/** Whether wasm-crypto's WebAssembly is compiled (set by `useNativeCrypto`). */
let wasmReady = false;
/** The implementations chosen, each on first use after its agreement check. */
let ed25519Choice: Crypto | undefined;
let sr25519Choice: Crypto | undefined;
let provider: CryptoProvider | undefined;

/**
 * Compiles wasm-crypto's WebAssembly (idempotent). Await it once before the first run for the
 * fast sr25519 operations; without it, `nativeCryptoProvider()` keeps the pure ones.
 */
export async function useNativeCrypto(): Promise<void> {
  if (!wasmReady) wasmReady = await wasmWaitReady();
}

/** node:crypto's ed25519 when it agrees with @noble's, else @noble's (checked once). */
function ed25519Implementation(): Crypto {
  ed25519Choice ??=
    interoperable(ed25519Crypto, nodeEd25519) === null ? nodeEd25519 : ed25519Crypto;
  return ed25519Choice;
}

/**
 * wasm-crypto's sr25519 verification when it is compiled and agrees with @scure's (checked once,
 * when a run first asks for sr25519: about 0.1 s of scure signing), else @scure's.
 */
function sr25519Implementation(): Crypto {
  if (!wasmReady) return sr25519Crypto;
  sr25519Choice ??=
    interoperable(sr25519Crypto, wasmSr25519) === null ? wasmSr25519 : sr25519Crypto;
  return sr25519Choice;
}

/**
 * The CLI's crypto: node:crypto ed25519, and wasm-crypto's sr25519 verification and VRF key
 * agreement once `useNativeCrypto()` has been awaited (before it, @scure's and @noble's); each
 * checked against the pure implementation when first asked for, and the pure one kept if they
 * disagree (none is known).
 */
export function nativeCryptoProvider(): CryptoProvider {
  provider ??= (kind) => {
    switch (kind) {
      case "ed25519":
        return ed25519Implementation();
      case "sr25519":
        return sr25519Implementation();
      case "none":
        return pureCrypto(kind);
      default:
        return assertNever(kind);
    }
  };
  return provider;
}
