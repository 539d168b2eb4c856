/**
 * Deterministic keys: every validator and collator of a simulation gets its keypair from a label,
 * so a scenario needs no key files and a seed replays exactly.
 *
 * The 32-byte seed of a label is `blake2b256(utf8(label))`; labels are namespaced
 * (`parapipe/validator/3`, `parapipe/collator/2000/0`). The same label gives the same seed under
 * every scheme; the keys then depend on the scheme (`Crypto.keypairFromSeed`).
 *
 * Ref: substrate sp-keyring (well-known dev keys, the idea; not its derivation paths).
 */
import { type Hex, toHex } from "../lib/hex.ts";
import type { ParaId, ValidatorIndex } from "./codecs.ts";
import { blake2b256 } from "./hashing.ts";
import type { Crypto, Keypair } from "./signing.ts";

const utf8 = new TextEncoder();

/** The seed of a label: `blake2b256(utf8(label))`. */
export function seedFromLabel(label: string): Uint8Array {
  return blake2b256(utf8.encode(label));
}

export function validatorLabel(index: ValidatorIndex): string {
  return `parapipe/validator/${index}`;
}

export function collatorLabel(paraId: ParaId, index = 0): string {
  return `parapipe/collator/${paraId}/${index}`;
}

export function keypairFromLabel(crypto: Crypto, label: string): Keypair {
  return crypto.keypairFromSeed(seedFromLabel(label));
}

/** The keypair of validator `index` (its `ValidatorId` is the public key). */
export function validatorKeypair(crypto: Crypto, index: ValidatorIndex): Keypair {
  return keypairFromLabel(crypto, validatorLabel(index));
}

/** The keypair of collator `index` of a para. */
export function collatorKeypair(crypto: Crypto, paraId: ParaId, index = 0): Keypair {
  return keypairFromLabel(crypto, collatorLabel(paraId, index));
}

/** The validator keys of a session, by validator index. */
export function validatorKeypairs(crypto: Crypto, count: number): Keypair[] {
  return Array.from({ length: count }, (_, i) => validatorKeypair(crypto, i));
}

/** A public key as 0x-hex (usable as a Map key). */
export function publicKeyHex(keypair: Keypair): Hex {
  return toHex(keypair.publicKey);
}
