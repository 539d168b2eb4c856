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

export function fromHex(hex: Hex): Uint8Array {
  assert(isHex(hex), () => `not a 0x-hex byte string: ${JSON.stringify(hex)}`);
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
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
