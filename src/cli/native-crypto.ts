/**
 * Native crypto for the CLI: `node:crypto` ed25519 (about 15x faster than the pure one), used
 * only after checking that it agrees with @noble's on keys, signatures and verification
 * (`interoperable`). sr25519 and the modelled mode stay the pure implementations.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from "node:crypto";
import {
  type Crypto,
  type CryptoProvider,
  cryptoProvider,
  ed25519Crypto,
  interoperable,
} from "../primitives/signing.ts";

// PKCS#8 / SPKI DER prefixes of a raw 32-byte ed25519 key.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

// Parsing a DER key into a `KeyObject` costs more than the signature itself: keep one per key
// object (keys are immutable byte arrays; a `WeakMap` lets them go with their owner).
const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new WeakMap<Uint8Array, KeyObject>();

const nativeEd25519: Crypto = {
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

let provider: CryptoProvider | undefined;

export function nativeCryptoProvider(): CryptoProvider {
  if (!provider) {
    const problem = interoperable(ed25519Crypto, nativeEd25519);
    provider = problem === null ? cryptoProvider({ ed25519: nativeEd25519 }) : cryptoProvider({});
  }
  return provider;
}
