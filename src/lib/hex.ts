/**
 * Bytes and 0x-hex strings. Hashes and head data travel as lowercase 0x-hex strings (usable as Map
 * keys, comparable with `<`, byte order preserved); payloads stay `Uint8Array`.
 */
import { assert } from "./assert.ts";

/** A lowercase 0x-prefixed hex string. */
export type Hex = string;
/** 32 bytes as lowercase 0x-hex. */
export type Hash = string;

const HEX_CHARS = "0123456789abcdef";
const BYTE_TO_HEX: string[] = Array.from(
  { length: 256 },
  (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!,
);

export function toHex(bytes: Uint8Array): Hex {
  let out = "0x";
  for (const b of bytes) out += BYTE_TO_HEX[b]!;
  return out;
}

export function isHex(value: unknown, byteLength?: number): value is Hex {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) return false;
  return byteLength === undefined || value.length === 2 + 2 * byteLength;
}

/** The value of one hex digit's char code, or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

export function fromHex(hex: Hex): Uint8Array {
  // Same strings accepted as `isHex` (0x, then pairs of hex digits of either case), decoded
  // char by char: this sits under every SCALE encoding of a hash.
  const ok =
    typeof hex === "string" &&
    hex.length % 2 === 0 &&
    hex.charCodeAt(0) === 48 && // 0
    hex.charCodeAt(1) === 120; // x
  const out = new Uint8Array(ok ? (hex.length - 2) / 2 : 0);
  let valid = ok;
  for (let i = 0; valid && i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 + 2 * i));
    const lo = nibble(hex.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) valid = false;
    else out[i] = (hi << 4) | lo;
  }
  assert(valid, () => `not a 0x-hex byte string: ${JSON.stringify(hex)}`);
  return out;
}

/** Byte length of a hex string, without decoding it. */
export function hexByteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}

/** Byte-wise comparison of two equal-length lowercase hex strings (Rust's `Ord` on `[u8; N]`). */
export function compareHex(a: Hex, b: Hex): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `[byte; 32]` as a hash, like Rust's `Hash::repeat_byte`. */
export function repeatByte(byte: number, length = 32): Hex {
  return `0x${BYTE_TO_HEX[byte]!.repeat(length)}`;
}

export const ZERO_HASH: Hash = repeatByte(0);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
