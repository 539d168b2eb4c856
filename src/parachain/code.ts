/**
 * A para's validation code (`:code` in its state, `ValidationCode` on the relay chain): in
 * parapipe the runtime is named by its constants, so the code is a small descriptor of a
 * `RuntimeConfig`, and a runtime upgrade is new code naming new constants.
 *
 * Invariants:
 * - `runtimeConfigOfCode(validationCodeOf(c))` equals `c`; other bytes decode to null (code
 *   parapipe cannot run).
 * - `RuntimeCode.hash` = blake2b-256 of the code (`ValidationCode::hash()`), computed once.
 *
 * Simplification: the code is not a Wasm blob (its size matters only against `max_code_size`).
 */
import type { RuntimeConfig } from "../config/parachain-runtime.ts";
import type { Hash } from "../lib/hex.ts";
import { hashBytes } from "../primitives/hashing.ts";

const PREFIX = "parapipe-parachain-runtime/1 ";

/** The validation code of a runtime with these constants. */
export function validationCodeOf(config: RuntimeConfig): Uint8Array {
  return new TextEncoder().encode(`${PREFIX}${JSON.stringify(config)}`);
}

/** The runtime a validation code names, or null for code parapipe cannot run. */
export function runtimeConfigOfCode(code: Uint8Array): RuntimeConfig | null {
  const text = new TextDecoder().decode(code);
  if (!text.startsWith(PREFIX)) return null;
  try {
    return JSON.parse(text.slice(PREFIX.length)) as RuntimeConfig;
  } catch {
    return null;
  }
}

/** A runtime as the para's state holds it: its constants, its code and the code's hash. */
export interface RuntimeCode {
  readonly config: RuntimeConfig;
  readonly code: Uint8Array;
  readonly hash: Hash;
}

export function runtimeCode(config: RuntimeConfig): RuntimeCode {
  const code = validationCodeOf(config);
  return { config, code, hash: hashBytes(code) };
}
